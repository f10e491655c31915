"""Application services: each does one thing to the database and is called by web, API, CLI or jobs."""
