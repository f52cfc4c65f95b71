"""Rows that make "view as" and the RLS access matrix tell roles apart, one set per pattern.

Two named users, A (a plain member of organisation A) and B (a member of organisation B and
an `admin` in `user_roles`), own rows in a table under each of the README's RLS patterns,
so anon, A, B and service_role each see a different slice. Every row is marked (`Rows demo`
in a title or name, `rows-demo-` in a slug, `RD-` in a policy id) so tests can pick them out
of the other seed rows with a condition. Identifiers are md5-derived uuids and timestamps are
fixed: every apply produces the same rows. The users' password hashes are fakes, there to be
masked (`auth.users.encrypted_password`).
"""

from __future__ import annotations

import hashlib
import uuid


def demo_uuid(label: str) -> str:
    """`md5(label)::uuid` as PostgreSQL computes it, so tests can name rows without a query."""
    return str(uuid.UUID(hashlib.md5(label.encode()).hexdigest()))


USER_A_EMAIL = "user.a@rows.example"
USER_B_EMAIL = "user.b@rows.example"
USER_A_ID = demo_uuid("rows-user-a")
USER_B_ID = demo_uuid("rows-user-b")
ORG_A_ID = demo_uuid("rows-org-a")
ORG_B_ID = demo_uuid("rows-org-b")

ORGANIZATIONS_MARK = "slug LIKE 'rows-demo-%'"
"""Conditions that select this module's rows in each pattern table (for `--where`)."""
VENTURES_MARK = "slug LIKE 'rows-demo-%'"
PRDS_MARK = "title LIKE 'Rows demo:%'"
RETROSPECTIVES_MARK = "title LIKE 'Rows demo:%'"
COMPLIANCE_MARK = "policy_id LIKE 'RD-%'"

ROWS_SQL = f"""\
-- rows demo: two named users whose eyes differ under each RLS pattern
INSERT INTO auth.users (id, aud, role, email, encrypted_password, email_confirmed_at,
                        raw_app_meta_data, raw_user_meta_data, created_at, updated_at)
VALUES
  ('{USER_A_ID}', 'authenticated', 'authenticated', '{USER_A_EMAIL}',
   '$2a$10$' || md5('rows-password-a'), timestamptz '2025-01-02 10:00:00+00',
   '{{"provider": "email", "providers": ["email"]}}',
   '{{"full_name": "Ada A. Member"}}',
   timestamptz '2025-01-02 10:00:00+00', timestamptz '2025-01-02 10:00:00+00'),
  ('{USER_B_ID}', 'authenticated', 'authenticated', '{USER_B_EMAIL}',
   '$2a$10$' || md5('rows-password-b'), timestamptz '2025-01-03 10:00:00+00',
   '{{"provider": "email", "providers": ["email"]}}',
   '{{"full_name": "Bo B. Admin"}}',
   timestamptz '2025-01-03 10:00:00+00', timestamptz '2025-01-03 10:00:00+00');

-- every user gets a fake bcrypt-looking hash: a column for masking to hide
UPDATE auth.users SET encrypted_password = '$2a$10$' || md5('rows-password-' || id::text)
 WHERE encrypted_password IS NULL;

-- pattern 1 (authenticated read): organisations A and B
INSERT INTO public.organizations (id, name, slug, plan, created_at, updated_at)
VALUES
  ('{ORG_A_ID}', 'Rows Demo Org A', 'rows-demo-a', 'pro',
   timestamptz '2025-01-04 00:00:00+00', timestamptz '2025-01-04 00:00:00+00'),
  ('{ORG_B_ID}', 'Rows Demo Org B', 'rows-demo-b', 'free',
   timestamptz '2025-01-04 00:00:00+00', timestamptz '2025-01-04 00:00:00+00');

INSERT INTO public.user_organizations (id, user_id, org_id, member_role, created_at, updated_at)
VALUES
  (md5('rows-membership-a')::uuid, '{USER_A_ID}', '{ORG_A_ID}', 'member',
   timestamptz '2025-01-05 00:00:00+00', timestamptz '2025-01-05 00:00:00+00'),
  (md5('rows-membership-b')::uuid, '{USER_B_ID}', '{ORG_B_ID}', 'owner',
   timestamptz '2025-01-05 00:00:00+00', timestamptz '2025-01-05 00:00:00+00');

-- the admin-only pattern reads user_roles: B is an admin, A an engineer
INSERT INTO public.user_roles (id, user_id, role, created_at, updated_at)
VALUES
  (md5('rows-role-a')::uuid, '{USER_A_ID}', 'engineer',
   timestamptz '2025-01-05 00:00:00+00', timestamptz '2025-01-05 00:00:00+00'),
  (md5('rows-role-b')::uuid, '{USER_B_ID}', 'admin',
   timestamptz '2025-01-05 00:00:00+00', timestamptz '2025-01-05 00:00:00+00');

-- pattern 3 (organisation-scoped): two ventures of org A, one of org B
INSERT INTO public.ventures (id, name, slug, status, current_stage_number, organization_id,
                             created_at, updated_at)
SELECT md5('rows-venture-' || v.n)::uuid, 'Rows Demo Venture ' || v.n, 'rows-demo-' || v.n,
       'active', v.n, v.org::uuid,
       timestamptz '2025-01-06 00:00:00+00', timestamptz '2025-01-06 00:00:00+00'
  FROM (VALUES (1, '{ORG_A_ID}'), (2, '{ORG_A_ID}'), (3, '{ORG_B_ID}')) AS v(n, org);

-- pattern 2 (user-owned): three PRDs of A, two of B
INSERT INTO public.product_requirements_v2 (id, title, status, progress, created_by,
                                            created_at, updated_at)
SELECT md5('rows-prd-' || p.n)::uuid, 'Rows demo: PRD ' || p.n, 'draft', 10 * p.n,
       p.owner::uuid, timestamptz '2025-01-07 00:00:00+00', timestamptz '2025-01-07 00:00:00+00'
  FROM (VALUES (1, '{USER_A_ID}'), (2, '{USER_A_ID}'), (3, '{USER_A_ID}'),
               (4, '{USER_B_ID}'), (5, '{USER_B_ID}')) AS p(n, owner);

-- public read, authenticated write: everyone reads all three
INSERT INTO public.retrospectives (id, title, quality_score, created_by, created_at, updated_at)
SELECT md5('rows-retro-' || r.n)::uuid, 'Rows demo: retrospective ' || r.n, 70 + r.n,
       r.owner::uuid, timestamptz '2025-01-08 00:00:00+00', timestamptz '2025-01-08 00:00:00+00'
  FROM (VALUES (1, '{USER_A_ID}'), (2, '{USER_A_ID}'), (3, '{USER_B_ID}')) AS r(n, owner);

-- admin only through user_roles: only B (and service_role) see these
INSERT INTO public.compliance_policies (id, policy_id, name, rule_type, created_at, updated_at)
SELECT md5('rows-policy-' || n)::uuid, 'RD-' || lpad(n::text, 3, '0'), 'Rows demo: policy ' || n,
       'required', timestamptz '2025-01-09 00:00:00+00', timestamptz '2025-01-09 00:00:00+00'
  FROM generate_series(1, 3) AS n;"""
"""The rows, as SQL to run after the rest of the seed (it refers to its tables only)."""
