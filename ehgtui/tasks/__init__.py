"""External tasks (the README's npm and supabase commands) and their built-in alternatives.

`registry` lists the tasks, `runner` runs one as a subprocess with streamed output and
cancel, `ping` is the built-in alternative to `supabase db ping`.
"""
