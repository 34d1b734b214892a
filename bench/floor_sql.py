"""The floor of each benchmarked request: one hand-written PostgreSQL query
(json_agg) producing the same page, or the same data for an HTML page.

Each function returns (sql, params); bench/api_pages.py times the query in the
same run as the request it is the floor of.
"""

API = "http://testserver/api/v1/"
STANCES = ("supports", "refutes", "qualifies")
EFFECTS = ("pro_tumor", "anti_tumor", "no_effect", "mixed", "not_assessed")
EVIDENCE_FACETS = (
    "stance",
    "effect",
    "level",
    "msc_source",
    "species",
    "model",
    "immune_status",
    "delivery",
    "cancer_type",
)
EVIDENCE_COLUMNS = (
    "stance",
    "effect",
    "level",
    "msc_source",
    "species",
    "model",
    "immune_status",
    "delivery",
    "msc_tumor_ratio",
    "finding",
    "quote",
    "not_reported",
    "rating",
    "status",
    "review_reason",
    "needs_rereview",
    "created_at",
    "updated_at",
)

# The accepted evidence counts of claim `c`, by stance and effect.
COUNTS = f"""
    SELECT count(*) AS total,
    {", ".join(f"count(*) FILTER (WHERE e.stance = '{s}') AS {s}" for s in STANCES)},
    {", ".join(f"count(*) FILTER (WHERE e.effect = '{x}') AS {x}" for x in EFFECTS)}
    FROM claims_evidence e WHERE e.claim_id = c.id AND e.status = 'accepted'
"""
COUNTS_JSON = f"""json_build_object(
    'total', n.total,
    'by_stance', json_build_object({", ".join(f"'{s}', n.{s}" for s in STANCES)}),
    'by_effect', json_build_object({", ".join(f"'{x}', n.{x}" for x in EFFECTS)}))
"""
# The verdict's counts as the rules stored them on claim `c`, in papers.
STRENGTH_JSON = """json_build_object(
    'papers', c.n_papers, 'supporting', c.n_supporting, 'refuting', c.n_refuting,
    'qualifying', c.n_qualifying, 'in_vivo', c.n_in_vivo, 'human', c.n_human,
    'mean_rating', c.mean_rating, 'thin', c.thin_evidence, 'left_out', c.left_out)
"""
CLAIM_JSON = f"""
    'slug', c.slug, 'url', '{API}claims/' || c.slug || '/', 'topic', t.slug,
    'statement', c.statement, 'setting', c.setting, 'kind', c.kind,
    'position', c.position, 'status', c.status, 'status_rule', c.status_rule,
    'status_reason', c.status_reason,
    'status_rules_version', c.status_rules_version,
    'strength', {STRENGTH_JSON},
    'evidence_counts', {COUNTS_JSON}, 'updated_at', c.updated_at
"""
PAPER_JSON = f"""json_build_object(
    'pmid', p.pmid, 'url', '{API}publications/' || p.pmid || '/', 'title', p.title,
    'first_author', p.first_author, 'journal', p.journal, 'year', p.year,
    'doi', p.doi, 'is_retracted', p.is_retracted)
"""
# A record's cancer types (terms), in the terms' order.
CANCER_TYPES_JSON = """coalesce((
    SELECT json_agg(json_build_object(
        'slug', term.slug, 'label', term.label, 'ontology_id', term.ontology_id)
        ORDER BY term.label, term.slug)
    FROM claims_evidence_cancer_types link
    JOIN claims_term term ON term.id = link.term_id
    WHERE link.evidence_id = e.id), '[]')
"""
CANCER_TYPES_CELL = """coalesce((
    SELECT string_agg(term.label, '; ' ORDER BY term.label, term.slug)
    FROM claims_evidence_cancer_types link
    JOIN claims_term term ON term.id = link.term_id
    WHERE link.evidence_id = e.id), '')
"""
# Context facets not reported are null in the API (blank in the table).
UNREPORTED_AS_NULL = ("msc_source", "species", "model", "immune_status", "delivery")
EVIDENCE_JSON = f"""
    'id', e.id, 'url', '{API}evidence/' || e.id || '/', 'publication', {PAPER_JSON},
    {
    ", ".join(
        f"'{col}', NULLIF(e.{col}, '')"
        if col in UNREPORTED_AS_NULL
        else f"'{col}', e.{col}"
        for col in EVIDENCE_COLUMNS
    )
},
    'cancer_types', {CANCER_TYPES_JSON}
"""


def claims_page(*, limit: int) -> tuple[str, list]:
    """/api/v1/claims/?page_size=N: the first page, with counts and status."""
    sql = f"""
    WITH c AS (
        SELECT c.* FROM claims_claim c JOIN claims_topic t ON t.id = c.topic_id
        ORDER BY t.position, c.position, c.slug LIMIT %s
    )
    SELECT json_build_object(
        'count', (SELECT count(*) FROM claims_claim),
        'results', coalesce(json_agg(json_build_object({CLAIM_JSON})
                            ORDER BY t.position, c.position, c.slug), '[]'))::text
    FROM c JOIN claims_topic t ON t.id = c.topic_id
    CROSS JOIN LATERAL ({COUNTS}) n
    """
    return sql, [limit]


def claim_detail(*, slug: str) -> tuple[str, list]:
    """/api/v1/claims/<slug>/: the claim, its counts and its accepted evidence."""
    sql = f"""
    SELECT json_build_object({CLAIM_JSON}, 'topic_name', t.name,
        'evidence', coalesce((
            SELECT json_agg(json_build_object({EVIDENCE_JSON})
                            ORDER BY e.rating DESC, p.year, e.id)
            FROM claims_evidence e JOIN claims_publication p ON p.id = e.publication_id
            WHERE e.claim_id = c.id AND e.status = 'accepted'), '[]'))::text
    FROM claims_claim c JOIN claims_topic t ON t.id = c.topic_id
    CROSS JOIN LATERAL ({COUNTS}) n
    WHERE c.slug = %s
    """
    return sql, [slug]


def evidence_page(*, facets: dict[str, str], limit: int) -> tuple[str, list]:
    """/api/v1/evidence/?<facet>=<value>&...: the first page of accepted evidence."""
    where = " AND ".join(f"e.{name} = %s" for name in facets)
    order = "t.position, c.position, c.slug, e.rating DESC, p.year, e.id"
    sql = f"""
    WITH e AS (
        SELECT e.*, t.position AS t_position, c.position AS c_position,
               c.slug AS c_slug
        FROM claims_evidence e
        JOIN claims_claim c ON c.id = e.claim_id
        JOIN claims_topic t ON t.id = c.topic_id
        JOIN claims_publication p ON p.id = e.publication_id
        WHERE e.status = 'accepted' AND {where}
        ORDER BY {order} LIMIT %s
    )
    SELECT json_build_object(
        'count', (SELECT count(*) FROM claims_evidence e
                  WHERE e.status = 'accepted' AND {where}),
        'results', coalesce(json_agg(
            json_build_object({EVIDENCE_JSON}, 'claim', e.c_slug)
            ORDER BY e.t_position, e.c_position, e.c_slug, e.rating DESC, p.year, e.id
        ), '[]'))::text
    FROM e JOIN claims_publication p ON p.id = e.publication_id
    """
    values = list(facets.values())
    return sql, [*values, limit, *values]


# A claim's texts hold the tsquery: its statement, an accepted finding, or the
# paper of one. Row by row, each EXISTS stopping at its first match.
CLAIM_HOLDS = """(
    c.search_document @@ to_tsquery('english', %(tsquery)s)
    OR EXISTS (SELECT 1 FROM claims_evidence e WHERE e.claim_id = c.id
               AND e.status = 'accepted'
               AND e.search_document @@ to_tsquery('english', %(tsquery)s) OFFSET 0)
    OR EXISTS (SELECT 1 FROM claims_evidence e
               JOIN claims_publication p ON p.id = e.publication_id
               WHERE e.claim_id = c.id AND e.status = 'accepted'
               AND p.search_document @@ to_tsquery('english', %(tsquery)s) OFFSET 0))
"""
# Every claim whose texts hold the tsquery, gathered through the indexes.
SEARCH_CLAIMS = """
    SELECT c.id FROM claims_claim c
    WHERE c.search_document @@ to_tsquery('english', %(tsquery)s)
    UNION
    SELECT e.claim_id FROM claims_evidence e
    WHERE e.status = 'accepted'
      AND e.search_document @@ to_tsquery('english', %(tsquery)s)
    UNION
    SELECT e.claim_id FROM claims_evidence e
    WHERE e.status = 'accepted' AND e.publication_id IN (
        SELECT p.id FROM claims_publication p
        WHERE p.search_document @@ to_tsquery('english', %(tsquery)s))
"""
CLAIM_ORDER = "t.position, c.position, c.slug"


def claims_search(
    *, tsquery: str, limit: int, first: bool, listed: int = 1000, read: int = 4004
) -> tuple[str, dict]:
    """/api/v1/claims/?q=word: the claims a search lists (at most `listed`),
    best match first, with counts. `first`: the word is in most claims, so the
    search lists its first matches in the list's order among the first `read`
    claims; otherwise every match, gathered (claims.search)."""
    if first:
        found = f"""
        SELECT c.id FROM (
            SELECT c.* FROM claims_claim c JOIN claims_topic t ON t.id = c.topic_id
            ORDER BY {CLAIM_ORDER} LIMIT %(read)s
        ) c JOIN claims_topic t ON t.id = c.topic_id
        WHERE {CLAIM_HOLDS}
        ORDER BY {CLAIM_ORDER} LIMIT %(listed)s
        """
    else:
        found = SEARCH_CLAIMS
    rank = "ts_rank_cd(c.search_document, to_tsquery('english', %(tsquery)s), 1)"
    sql = f"""
    WITH found AS ({found}),
    c AS (
        SELECT c.*, {rank} AS rank, t.position AS t_position
        FROM claims_claim c JOIN claims_topic t ON t.id = c.topic_id
        WHERE c.id IN (SELECT id FROM found)
        ORDER BY rank DESC, {CLAIM_ORDER} LIMIT %(limit)s
    )
    SELECT json_build_object(
        'count', (SELECT least(count(*), %(listed)s) FROM found),
        'results', coalesce(json_agg(json_build_object({CLAIM_JSON})
            ORDER BY c.rank DESC, c.t_position, c.position, c.slug), '[]'))::text
    FROM c JOIN claims_topic t ON t.id = c.topic_id
    CROSS JOIN LATERAL ({COUNTS}) n
    """
    params = {"tsquery": tsquery, "limit": limit, "listed": listed, "read": read}
    return sql, params


def evidence_csv(*, year_min: int) -> str:
    """/api/v1/evidence/?format=csv&year_min=Y: the same rows, by COPY."""
    return f"""
    COPY (
        SELECT e.id, c.slug, t.slug, p.pmid, p.year, p.is_retracted,
               e.stance, e.effect, e.level, e.msc_source, e.species,
               {CANCER_TYPES_CELL}, e.model, e.immune_status, e.delivery,
               e.msc_tumor_ratio, e.finding, e.quote, e.rating, e.status
        FROM claims_evidence e
        JOIN claims_claim c ON c.id = e.claim_id
        JOIN claims_topic t ON t.id = c.topic_id
        JOIN claims_publication p ON p.id = e.publication_id
        WHERE e.status = 'accepted' AND p.year >= {int(year_min)}
        ORDER BY t.position, c.position, c.slug, e.rating DESC, p.year, e.id
    ) TO STDOUT WITH CSV HEADER
    """


# Distinct papers for and against, as the status rules count them.
PAPER_COUNTS = """
    SELECT count(DISTINCT e.publication_id) FILTER (
               WHERE e.stance = 'supports' AND NOT p.is_retracted
                 AND e.level <> 'review') AS supporting,
           count(DISTINCT e.publication_id) FILTER (
               WHERE e.stance = 'refutes' AND NOT p.is_retracted
                 AND e.level <> 'review') AS refuting,
           count(*) AS evidence
    FROM claims_evidence e JOIN claims_publication p ON p.id = e.publication_id
    WHERE e.claim_id = c.id AND e.status = 'accepted'
"""


def browse_page(*, claim: dict[str, str], evidence: dict[str, str], limit: int):
    """/claims/?status=..&<evidence facet>=..: the page's claims, its count and
    every facet's counts (claims each value would leave), as the page shows them."""
    params = {f"f_{name}": value for name, value in (claim | evidence).items()}
    params["limit"] = limit

    def where(table: str, filters: dict[str, str], without: str = "") -> str:
        parts = [f"{table}.{n} = %(f_{n})s" for n in filters if n != without]
        return " AND ".join(["TRUE", *parts])

    has_evidence = (
        "EXISTS (SELECT 1 FROM ev WHERE ev.claim_id = cl.id AND "
        f"{where('ev', evidence)})"
    )
    facets = [
        f"SELECT '{name}' AS facet, cl.{name} AS value, count(*) AS n FROM cl "
        f"WHERE {where('cl', claim, without=name)} AND {has_evidence} GROUP BY 2"
        for name in ("topic", "status")
    ]
    facets += [
        f"SELECT '{name}', ev.{name}, count(DISTINCT ev.claim_id) FROM ev "
        f"JOIN cl ON cl.id = ev.claim_id WHERE {where('cl', claim)} "
        f"AND {where('ev', evidence, without=name)} GROUP BY 2"
        for name in EVIDENCE_FACETS
        if name != "cancer_type"
    ]
    facets.append(
        "SELECT 'cancer_type', term.slug, count(DISTINCT ev.claim_id) FROM ev "
        "JOIN cl ON cl.id = ev.claim_id "
        "LEFT JOIN claims_evidence_cancer_types link ON link.evidence_id = ev.id "
        "LEFT JOIN claims_term term ON term.id = link.term_id "
        f"WHERE {where('cl', claim)} AND {where('ev', evidence)} GROUP BY 2"
    )
    sql = f"""
    WITH ev AS (
        SELECT e.*, p.year FROM claims_evidence e
        JOIN claims_publication p ON p.id = e.publication_id
        WHERE e.status = 'accepted'
    ),
    cl AS (
        SELECT c.id, c.status, t.slug AS topic FROM claims_claim c
        JOIN claims_topic t ON t.id = c.topic_id
    ),
    matching AS (SELECT cl.id FROM cl WHERE {where("cl", claim)} AND {has_evidence}),
    page AS (
        SELECT c.*, t.slug AS topic_slug, t.name AS topic_name,
               t.position AS t_position
        FROM claims_claim c JOIN claims_topic t ON t.id = c.topic_id
        WHERE c.id IN (SELECT id FROM matching)
        ORDER BY t.position, c.position, c.slug LIMIT %(limit)s
    ),
    facets AS ({" UNION ALL ".join(facets)})
    SELECT json_build_object(
        'count', (SELECT count(*) FROM matching),
        'claims', (SELECT json_agg(json_build_object(
                'slug', c.slug, 'statement', c.statement, 'status', c.status,
                'topic', c.topic_slug, 'topic_name', c.topic_name,
                'n_supporting', n.supporting, 'n_refuting', n.refuting,
                'n_evidence', n.evidence)
                ORDER BY c.t_position, c.position, c.slug)
            FROM page c CROSS JOIN LATERAL ({PAPER_COUNTS}) n),
        'facets', (SELECT json_agg(json_build_object(
                'facet', facet, 'value', value, 'n', n)) FROM facets),
        'years', (SELECT json_build_array(min(year), max(year)) FROM ev)
    )::text
    """
    return sql, params


def claim_page(*, slug: str) -> tuple[str, list]:
    """/claims/<slug>/: the claim, its paper counts, its accepted evidence and
    their papers, as the page shows them."""
    sql = f"""
    SELECT json_build_object(
        'slug', c.slug, 'statement', c.statement, 'setting', c.setting,
        'status', c.status, 'status_reason', c.status_reason,
        'status_rules_version', c.status_rules_version,
        'topic', t.slug, 'topic_name', t.name,
        'n_supporting', n.supporting, 'n_refuting', n.refuting,
        'evidence', coalesce((
            SELECT json_agg(json_build_object(
                'stance', e.stance, 'effect', e.effect, 'level', e.level,
                'msc_source', e.msc_source, 'species', e.species,
                'model', e.model, 'immune_status', e.immune_status,
                'delivery', e.delivery, 'cancer_types', {CANCER_TYPES_JSON},
                'msc_tumor_ratio', e.msc_tumor_ratio, 'finding', e.finding,
                'quote', e.quote, 'rating', e.rating, 'pmid', p.pmid,
                'first_author', p.first_author, 'year', p.year, 'title', p.title,
                'curated_title', p.curated_title, 'is_retracted', p.is_retracted)
                ORDER BY CASE e.stance WHEN 'supports' THEN 0
                    WHEN 'refutes' THEN 1 ELSE 2 END, p.year, e.id)
            FROM claims_evidence e JOIN claims_publication p ON p.id = e.publication_id
            WHERE e.claim_id = c.id AND e.status = 'accepted'), '[]'))::text
    FROM claims_claim c JOIN claims_topic t ON t.id = c.topic_id
    CROSS JOIN LATERAL ({PAPER_COUNTS}) n
    WHERE c.slug = %s
    """
    return sql, [slug]
