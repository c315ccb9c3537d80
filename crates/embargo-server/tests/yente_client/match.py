"""Screen names through nomenklatura's YenteEnricher against an Embargo server.

This is the real OpenSanctions client code path (nomenklatura.enrich.yente),
unchanged: it builds the /match/{dataset} request itself, sends the API key
the way yente expects (`Authorization: ApiKey <key>`), and parses the
response into FollowTheMoney entities. The script prints one JSON line per
query with what the client understood, so the calling Rust test can assert on
ids, schemata and names without trusting anything printed by the server.

usage: match.py API_URL API_KEY SCHEMA:NAME [SCHEMA:NAME ...]
"""
import json
import sys
import tempfile

from followthemoney import Dataset, StatementEntity
from nomenklatura.cache import Cache
from nomenklatura.db import make_session
from nomenklatura.enrich import make_enricher


def main() -> int:
    api, api_key, *queries = sys.argv[1:]
    tmp = tempfile.mkdtemp(prefix="embargo-nk-")
    dataset = Dataset.make({"name": "embargo_client_test", "title": "Embargo client test"})
    session = make_session(f"sqlite:///{tmp}/nk.db")
    cache = Cache(session, dataset, create=True)
    config = {
        "type": "nomenklatura.enrich.yente:YenteEnricher",
        "api": api if api.endswith("/") else api + "/",
        "dataset": "default",
        "api_key": api_key,
        "cache_days": 0,
    }
    enricher = make_enricher(dataset, cache, config)
    for i, q in enumerate(queries):
        schema, name = q.split(":", 1)
        entity = StatementEntity.from_data(
            dataset, {"id": f"q{i}", "schema": schema, "properties": {"name": [name]}}
        )
        results = []
        for proxy in enricher.match(entity):
            results.append(
                {
                    "id": proxy.id,
                    "schema": proxy.schema.name,
                    "caption": proxy.caption,
                    "names": sorted(proxy.get("name")),
                    "aliases": sorted(proxy.get("alias", quiet=True)),
                    "countries": sorted(proxy.get("country", quiet=True)),
                    "programs": sorted(proxy.get("program", quiet=True)),
                    "source_url": proxy.get("sourceUrl"),
                }
            )
        print(json.dumps({"query": name, "schema": schema, "results": results}), flush=True)
    enricher.close()
    session.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
