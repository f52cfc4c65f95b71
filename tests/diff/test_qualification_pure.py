"""Taking schema qualifiers out of printed texts, to compare with a snapshot from before they
were qualified (`diff/qualification.py`): only a schema's qualifier before a name goes."""

from __future__ import annotations

import pytest

from ehgtui.diff.qualification import qualifier_pattern, without_qualifiers

PATTERN = qualifier_pattern({"public", "extensions", "Odd Schema"})


@pytest.mark.parametrize(
    ("qualified", "as_before"),
    [
        ("public.sd_status", "sd_status"),
        ("'draft'::public.sd_status", "'draft'::sd_status"),
        ("nextval('public.t_id_seq'::regclass)", "nextval('t_id_seq'::regclass)"),
        ("REFERENCES public.organizations(id)", "REFERENCES organizations(id)"),
        ('EXECUTE FUNCTION "Odd Schema"."Odd Function"()', 'EXECUTE FUNCTION "Odd Function"()'),
        ("extensions.uuid_generate_v4()", "uuid_generate_v4()"),
        ('public."Mixed"[]', '"Mixed"[]'),
        # not a qualifier: another schema, a longer name, a quoted name, a name's later part
        ("auth.uid()", "auth.uid()"),
        ("mypublic.t", "mypublic.t"),
        ('"public.t"', '"public.t"'),
        ("s.public.t", "s.public.t"),
        ("public_x.y", "public_x.y"),
    ],
)
def test_only_a_known_schemas_qualifier_goes(qualified: str, as_before: str) -> None:
    assert without_qualifiers(qualified, PATTERN) == as_before
