"""`python -m review_app.cli` is `docloop`."""

from review_app.cli import main

main()
