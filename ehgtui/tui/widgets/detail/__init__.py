"""The right pane: the selected table's summary and one module per tab."""
