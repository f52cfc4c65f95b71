"""The Textual terminal UI: the only package that imports Textual.

Nothing is imported here eagerly, so `import ehgtui.tui` costs nothing until `tui.app` is used.
"""
