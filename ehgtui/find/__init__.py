"""Finding tables and columns by name: the scorer behind the tree filter, the palette and
`ehgtui find`."""
