"""Pure extraction library: words in, fields with confidences out."""
