"""The catalog model and its bulk loader."""
