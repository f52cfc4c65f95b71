"""Schema documentation in Markdown, shaped like the repository's docs/reference/schema/engineer/.

`render.render_docs` is pure (catalog in, {relative path: text} out); `writer.write_docs`
writes only what changed, so regenerating an unchanged schema touches no file.
"""
