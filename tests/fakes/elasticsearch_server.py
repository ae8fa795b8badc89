"""A local HTTP server on 127.0.0.1 that plays Elasticsearch 7.17 with the IK analysis plugin installed.

It answers what the elasticsearch-py 7 client sends for haystack: the product check (GET /), index
exists/create/delete, mappings, _bulk, _refresh, _search, _count and single documents, in Elasticsearch's
JSON shapes, errors included. Like Elasticsearch it refuses an index or mapping that names an analyzer,
tokenizer or filter it does not know: the built-in ones and IK's `ik_max_word` and `ik_smart` exist,
nothing else unless the index's analysis settings define it. Documents become searchable on _refresh.

Matching is simplified and stated here so tests do not over-trust it: a keyword field matches its exact
value; a text field analyzed by IK (or by a custom analyzer on an IK tokenizer) matches a term it contains
(IK finds dictionary words, so containment is the closest stand-in without IK's dictionary), or any word of
the term's "a, b, c" rules in the analyzer's `synonym`/`synonym_graph` filters; a text field with any other
analyzer is cut like the standard tokenizer (Latin words, single CJK characters) and matches when the
term's tokens are there.
Every request is kept in `requests`; every search in `searches`, with the analyzer Elasticsearch would
apply to each queried field (the query's own, else the mapping's search_analyzer, else its analyzer).
"""

import json
import re
import socket
import threading
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qs, unquote, urlparse

from tests.fakes.loopback import LoopbackHTTPServer

# The release docker/elasticsearch/Dockerfile builds and the Python client is pinned to.
VERSION = "7.17.13"
IK_ANALYZERS = {"ik_max_word", "ik_smart"}
BUILTIN_ANALYZERS = {
    "standard",
    "simple",
    "whitespace",
    "stop",
    "keyword",
    "pattern",
    "fingerprint",
    "snowball",
    "english",
    "cjk",
}
BUILTIN_TOKENIZERS = {
    "standard",
    "letter",
    "lowercase",
    "whitespace",
    "uax_url_email",
    "classic",
    "ngram",
    "edge_ngram",
    "nGram",
    "edgeNGram",
    "keyword",
    "pattern",
    "path_hierarchy",
}
BUILTIN_FILTERS = {
    "lowercase",
    "uppercase",
    "asciifolding",
    "stop",
    "snowball",
    "stemmer",
    "porter_stem",
    "ngram",
    "edge_ngram",
    "nGram",
    "edgeNGram",
    "trim",
    "unique",
    "cjk_width",
    "cjk_bigram",
    "synonym",
    "synonym_graph",
    "shingle",
    "length",
    "reverse",
}
FIELD_TYPES = {"text", "keyword", "long", "integer", "short", "byte", "double", "float", "date", "boolean", "geo_point"}
ANALYZER_PARAMETERS = ("analyzer", "search_analyzer", "search_quote_analyzer")
SEARCH_KEYS = {"query", "from", "size", "_source", "track_total_hits"}
STANDARD_TOKEN = re.compile(r"[\u3400-\u9fff]|[^\W_]+")


class ElasticsearchError(Exception):
    def __init__(self, status, error_type, reason):
        super().__init__(reason)
        self.status = status
        self.error_type = error_type
        self.reason = reason

    def body(self):
        cause = {"type": self.error_type, "reason": self.reason}
        return {"error": {"root_cause": [cause], **cause}, "status": self.status}


def unused_url():
    """The URL of a port nothing listens on: a cluster that is down."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{probe.getsockname()[1]}/"


def as_list(value):
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


class Index:
    def __init__(self, name, settings, mappings):
        self.name = name
        self.settings = settings
        self.analysis = settings.get("analysis") or settings.get("index", {}).get("analysis") or {}
        self.properties = {}
        self.documents = {}  # _id -> source, as written (GET _doc is real time)
        self.searchable = {}  # _id -> source, as of the last refresh
        self.version = {}
        self.check_analysis()
        self.put_mapping(mappings or {})

    def check_analysis(self):
        filters = self.analysis.get("filter", {})
        tokenizers = self.analysis.get("tokenizer", {})
        for name, definition in filters.items():
            if definition.get("type") not in BUILTIN_FILTERS:
                raise ElasticsearchError(
                    400, "illegal_argument_exception", f"Unknown filter type [{definition.get('type')}] for [{name}]"
                )
        for name, definition in tokenizers.items():
            if definition.get("type") not in BUILTIN_TOKENIZERS:
                raise ElasticsearchError(
                    400, "illegal_argument_exception", f"Unknown tokenizer type [{definition.get('type')}] for [{name}]"
                )
        for name, definition in self.analysis.get("analyzer", {}).items():
            kind = definition.get("type", "custom")
            if kind != "custom":
                if kind not in BUILTIN_ANALYZERS | IK_ANALYZERS:
                    raise ElasticsearchError(
                        400, "illegal_argument_exception", f"Unknown analyzer type [{kind}] for [{name}]"
                    )
                continue
            tokenizer = definition.get("tokenizer")
            if tokenizer not in BUILTIN_TOKENIZERS | IK_ANALYZERS and tokenizer not in tokenizers:
                raise ElasticsearchError(
                    400,
                    "illegal_argument_exception",
                    f"Custom Analyzer [{name}] failed to find tokenizer under name [{tokenizer}]",
                )
            for filter_name in as_list(definition.get("filter")):
                if filter_name not in BUILTIN_FILTERS and filter_name not in filters:
                    raise ElasticsearchError(
                        400,
                        "illegal_argument_exception",
                        f"Custom Analyzer [{name}] failed to find filter under name [{filter_name}]",
                    )

    def is_ik(self, name):
        """IK's own analyzers, and custom ones on IK's tokenizers."""
        custom = self.analysis.get("analyzer", {}).get(name, {})
        return name in IK_ANALYZERS or custom.get("tokenizer") in IK_ANALYZERS

    def synonyms(self, analyzer, word):
        """`word` and, through the analyzer's synonym filters ("a, b, c" rules), every word of its rules."""
        words = {word}
        filters = self.analysis.get("filter", {})
        for filter_name in as_list(self.analysis.get("analyzer", {}).get(analyzer, {}).get("filter")):
            definition = filters.get(filter_name, {})
            if definition.get("type") in ("synonym", "synonym_graph"):
                for rule in definition.get("synonyms", []):
                    group = {part.strip().lower() for part in rule.split(",")}
                    if word in group:
                        words |= group
        return words

    def analyzer_exists(self, name):
        return name in BUILTIN_ANALYZERS or name in IK_ANALYZERS or name in self.analysis.get("analyzer", {})

    def check_field(self, name, field):
        kind = field.get("type", "object" if "properties" in field else None)
        if kind not in FIELD_TYPES:
            raise ElasticsearchError(
                400, "mapper_parsing_exception", f"No handler for type [{kind}] declared on field [{name}]"
            )
        for parameter in ANALYZER_PARAMETERS:
            if parameter not in field:
                continue
            if kind != "text":
                raise ElasticsearchError(
                    400,
                    "mapper_parsing_exception",
                    f"unknown parameter [{parameter}] on mapper [{name}] of type [{kind}]",
                )
            if not self.analyzer_exists(field[parameter]):
                raise ElasticsearchError(
                    400,
                    "mapper_parsing_exception",
                    f"analyzer [{field[parameter]}] has not been configured in mappings",
                )
        if "search_analyzer" in field and "analyzer" not in field:
            raise ElasticsearchError(
                400, "mapper_parsing_exception", f"analyzer on field [{name}] must be set when search_analyzer is set"
            )
        for sub_name, sub_field in field.get("fields", {}).items():
            self.check_field(f"{name}.{sub_name}", sub_field)

    def put_mapping(self, mappings):
        unknown = set(mappings) - {"properties", "dynamic", "_source", "_meta"}
        if unknown:
            raise ElasticsearchError(
                400,
                "mapper_parsing_exception",
                f"Root mapping definition has unsupported parameters: {sorted(unknown)}",
            )
        properties = mappings.get("properties", {})
        for name, field in properties.items():
            self.check_field(name, field)
            existing = self.properties.get(name)
            if existing is None:
                continue
            for parameter in ("type", *ANALYZER_PARAMETERS):
                if existing.get(parameter) != field.get(parameter):
                    raise ElasticsearchError(
                        400,
                        "illegal_argument_exception",
                        f"Mapper for [{name}] conflicts with existing mapper:\n\tCannot update parameter [{parameter}]"
                        f" from [{existing.get(parameter)}] to [{field.get(parameter)}]",
                    )
        self.properties.update(properties)

    def map_dynamically(self, source):
        for name, value in source.items():
            if name in self.properties or value is None:
                continue
            sample = as_list(value)[0] if as_list(value) else ""
            if isinstance(sample, bool):
                self.properties[name] = {"type": "boolean"}
            elif isinstance(sample, int):
                self.properties[name] = {"type": "long"}
            elif isinstance(sample, float):
                self.properties[name] = {"type": "float"}
            else:
                self.properties[name] = {
                    "type": "text",
                    "fields": {"keyword": {"type": "keyword", "ignore_above": 256}},
                }

    def mapping(self):
        return {"properties": self.properties}

    def search_analyzer(self, field_name, query_analyzer=None):
        if query_analyzer:
            return query_analyzer
        field = self.properties.get(field_name, {})
        defaults = self.analysis.get("analyzer", {})
        default = (
            "default_search" if "default_search" in defaults else "default" if "default" in defaults else "standard"
        )
        return field.get("search_analyzer") or field.get("analyzer") or default


class QueryString:
    """Lucene query syntax as haystack writes it: terms, "phrases", field:, AND/OR/NOT, parentheses."""

    TOKEN = re.compile(r'\s+|\(|\)|"(?:[^"\\]|\\.)*"|(?:[^\s()"\\:]|\\.)+:?')

    def __init__(self, text, default_field, default_operator):
        self.tokens, end = [], 0
        for match in self.TOKEN.finditer(text):
            if match.start() != end:  # a character no token takes: a stray quote or backslash
                break
            end = match.end()
            if match.group().strip():
                self.tokens.append(match.group())
        if end != len(text):
            raise ElasticsearchError(400, "query_shard_exception", f"Failed to parse query [{text}]")
        self.position = 0
        self.default_field = default_field
        self.default_and = default_operator.upper() == "AND"
        self.tree = self.parse_or(default_field)
        if self.position != len(self.tokens):
            raise ElasticsearchError(400, "query_shard_exception", f"Failed to parse query [{text}]")

    def peek(self):
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def take(self):
        token = self.peek()
        self.position += 1
        return token

    def parse_or(self, field):
        branches = [self.parse_and(field)]
        while self.peek() in ("OR", "||"):
            self.take()
            branches.append(self.parse_and(field))
        return ("or", branches) if len(branches) > 1 else branches[0]

    def parse_and(self, field):
        required, optional = [self.parse_unary(field)], []
        while self.peek() not in (None, ")", "OR", "||"):
            if self.peek() in ("AND", "&&"):
                self.take()
                required.append(self.parse_unary(field))
            elif self.default_and:
                required.append(self.parse_unary(field))
            else:
                optional.append(self.parse_unary(field))
        if optional:
            return ("or", [("and", required), *optional])
        return ("and", required) if len(required) > 1 else required[0]

    def parse_unary(self, field):
        if self.peek() in ("NOT", "!", "-"):
            self.take()
            return ("not", self.parse_unary(field))
        return self.parse_primary(field)

    def parse_primary(self, field):
        token = self.take()
        if token is None or token == ")":
            raise ElasticsearchError(400, "query_shard_exception", "Cannot parse query: unexpected end")
        if token == "(":
            inner = self.parse_or(field)
            if self.take() != ")":
                raise ElasticsearchError(400, "query_shard_exception", "Cannot parse query: missing )")
            return inner
        if token.endswith(":") and not token.endswith("\\:"):
            return self.parse_primary(unescape(token[:-1]))
        if token.startswith('"'):
            return ("phrase", field, unescape(token[1:-1]))
        return ("term", field, token)


def unescape(text):
    return re.sub(r"\\(.)", r"\1", text)


class FakeElasticsearch(LoopbackHTTPServer):
    def __init__(self):
        self.indices = {}
        self.requests = []  # (method, path, query parameters, JSON body or NDJSON lines)
        self.searches = []  # {"index", "body", "analyzers": {field: analyzer}}
        self.lock = threading.Lock()
        self.connections = set()  # open client sockets: the client keeps its connections alive
        super().__init__(self._handler())

    @property
    def url(self):
        return f"{self.origin}/"

    def stop(self):
        """Shut down and close the port, and the clients' kept-alive connections: the cluster is unreachable."""
        super().stop()
        for connection in list(self.connections):
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def bodies(self, method, path):
        return [body for m, p, _, body in self.requests if m == method and p == path]

    # Requests --------------------------------------------------------------------------------

    def handle(self, method, path, params, body):
        parts = [unquote(part) for part in path.strip("/").split("/") if part]
        if not parts:
            return 200, self.info()
        if parts == ["_bulk"]:
            return 200, self.bulk(None, body)
        if parts[0].startswith("_"):
            raise ElasticsearchError(
                400, "illegal_argument_exception", f"no handler found for uri [{path}] and method [{method}]"
            )
        name, rest = parts[0], parts[1:]
        if not rest:
            return self.index_request(method, name, body)
        action = rest[0]
        if action == "_mapping" and method == "GET":
            return 200, {name: {"mappings": self.index(name).mapping()}}
        if action == "_mapping" and method in ("PUT", "POST"):
            self.index(name).put_mapping(body or {})
            return 200, {"acknowledged": True}
        if action == "_bulk" and method in ("PUT", "POST"):
            return 200, self.bulk(name, body)
        if action == "_refresh":
            index = self.index(name)
            index.searchable = dict(index.documents)
            return 200, {"_shards": {"total": 1, "successful": 1, "failed": 0}}
        if action == "_search":
            return 200, self.search(self.index(name), params, body or {})
        if action == "_count":
            index = self.index(name)
            query = (body or {}).get("query", {"match_all": {}})
            count = sum(1 for source in index.searchable.values() if self.matches(index, query, source))
            return 200, {"count": count, "_shards": {"total": 1, "successful": 1, "failed": 0}}
        if action == "_doc" and len(rest) == 2:
            return self.document_request(method, self.index(name), rest[1], body)
        raise ElasticsearchError(
            400, "illegal_argument_exception", f"no handler found for uri [{path}] and method [{method}]"
        )

    def info(self):
        return {
            "name": "fake-node",
            "cluster_name": "meiduo-test",
            "cluster_uuid": "fake-cluster",
            "version": {"number": VERSION, "build_flavor": "default", "lucene_version": "8.11.1"},
            "tagline": "You Know, for Search",
        }

    def index(self, name):
        try:
            return self.indices[name]
        except KeyError:
            raise ElasticsearchError(404, "index_not_found_exception", f"no such index [{name}]") from None

    def index_request(self, method, name, body):
        if method == "HEAD":
            return (200 if name in self.indices else 404), None
        if method == "GET":
            index = self.index(name)
            return 200, {name: {"settings": index.settings, "mappings": index.mapping()}}
        if method == "DELETE":
            self.index(name)
            del self.indices[name]
            return 200, {"acknowledged": True}
        if method == "PUT":
            self.create_index(name, body or {})
            return 200, {"acknowledged": True, "shards_acknowledged": True, "index": name}
        raise ElasticsearchError(405, "illegal_argument_exception", f"Incorrect HTTP method for uri [/{name}]")

    def create_index(self, name, body):
        if name in self.indices:
            raise ElasticsearchError(400, "resource_already_exists_exception", f"index [{name}/fake] already exists")
        if name != name.lower() or name[0] in "_-+":
            raise ElasticsearchError(400, "invalid_index_name_exception", f"Invalid index name [{name}]")
        unknown = set(body) - {"settings", "mappings", "aliases"}
        if unknown:
            raise ElasticsearchError(400, "parse_exception", f"unknown key {sorted(unknown)} for create index")
        self.indices[name] = Index(name, body.get("settings", {}), body.get("mappings", {}))
        return self.indices[name]

    def document_request(self, method, index, doc_id, body):
        found = doc_id in index.documents
        if method == "GET":
            if not found:
                return 404, {"_index": index.name, "_id": doc_id, "found": False}
            return 200, {"_index": index.name, "_id": doc_id, "found": True, "_source": index.documents[doc_id]}
        if method == "DELETE":
            index.documents.pop(doc_id, None)
            status = 200 if found else 404
            return status, {"_index": index.name, "_id": doc_id, "result": "deleted" if found else "not_found"}
        if method in ("PUT", "POST"):
            return (200 if found else 201), self.write(index, doc_id, body or {})
        raise ElasticsearchError(405, "illegal_argument_exception", "Incorrect HTTP method for a document")

    def write(self, index, doc_id, source):
        index.map_dynamically(source)
        created = doc_id not in index.documents
        index.documents[doc_id] = source
        index.version[doc_id] = index.version.get(doc_id, 0) + 1
        return {
            "_index": index.name,
            "_id": doc_id,
            "_version": index.version[doc_id],
            "result": "created" if created else "updated",
            "status": 201 if created else 200,
        }

    def bulk(self, default_index, lines):
        items = []
        lines = list(lines or [])
        while lines:
            ((operation, meta),) = lines.pop(0).items()
            name = meta.get("_index", default_index)
            index = self.indices.get(name) or self.create_index(name, {})
            doc_id = str(meta["_id"])
            if operation == "delete":
                found = index.documents.pop(doc_id, None) is not None
                result = {"_index": name, "_id": doc_id, "result": "deleted" if found else "not_found"}
                items.append({operation: {**result, "status": 200 if found else 404}})
            elif operation in ("index", "create"):
                items.append({operation: self.write(index, doc_id, lines.pop(0))})
            else:
                raise ElasticsearchError(
                    400, "illegal_argument_exception", f"Malformed action/metadata line [{operation}]"
                )
        return {"took": 1, "errors": False, "items": items}

    def search(self, index, params, body):
        unknown = set(body) - SEARCH_KEYS
        if unknown:
            raise ElasticsearchError(400, "parsing_exception", f"the stand-in does not implement {sorted(unknown)}")
        query = body.get("query", {"match_all": {}})
        analyzers = {}
        matched = [
            (doc_id, source)
            for doc_id, source in index.searchable.items()
            if self.matches(index, query, source, analyzers)
        ]
        self.searches.append({"index": index.name, "body": body, "analyzers": analyzers})
        start = int(body.get("from", params.get("from", 0)))
        size = int(body.get("size", params.get("size", 10)))
        with_source = str(body.get("_source", params.get("_source", "true"))).lower() != "false"
        hits = [
            {
                "_index": index.name,
                "_type": "_doc",
                "_id": doc_id,
                "_score": 1.0,
                **({"_source": source} if with_source else {}),
            }
            for doc_id, source in matched[start : start + size]
        ]
        return {
            "took": 1,
            "timed_out": False,
            "_shards": {"total": 1, "successful": 1, "skipped": 0, "failed": 0},
            "hits": {
                "total": {"value": len(matched), "relation": "eq"},
                "max_score": 1.0 if hits else None,
                "hits": hits,
            },
        }

    # Matching --------------------------------------------------------------------------------

    def matches(self, index, query, source, analyzers=None):
        analyzers = {} if analyzers is None else analyzers
        ((kind, clause),) = query.items()
        if kind == "match_all":
            return True
        if kind == "bool":
            must = as_list(clause.get("must")) + as_list(clause.get("filter"))
            should, must_not = as_list(clause.get("should")), as_list(clause.get("must_not"))
            return (
                all(self.matches(index, q, source, analyzers) for q in must)
                and not any(self.matches(index, q, source, analyzers) for q in must_not)
                and (not should or bool(must) or any(self.matches(index, q, source, analyzers) for q in should))
            )
        if kind in ("term", "terms"):
            ((field, wanted),) = clause.items()
            if kind == "term":
                wanted = [wanted["value"] if isinstance(wanted, dict) else wanted]
            return any(self.field_is(index, field, str(value), source) for value in wanted)
        if kind == "match":
            ((field, wanted),) = clause.items()
            text = wanted["query"] if isinstance(wanted, dict) else wanted
            analyzer = index.search_analyzer(field, wanted.get("analyzer") if isinstance(wanted, dict) else None)
            analyzers[field] = analyzer
            return self.text_matches(index, field, str(text), analyzer, source, phrase=False)
        if kind == "query_string":
            parsed = QueryString(
                clause["query"], clause.get("default_field", "*"), clause.get("default_operator", "OR")
            )
            return self.evaluate(index, parsed.tree, source, clause.get("analyzer"), analyzers)
        raise ElasticsearchError(400, "parsing_exception", f"unknown query [{kind}]")

    def evaluate(self, index, node, source, query_analyzer, analyzers):
        kind = node[0]
        if kind == "and":
            return all(self.evaluate(index, child, source, query_analyzer, analyzers) for child in node[1])
        if kind == "or":
            return any(self.evaluate(index, child, source, query_analyzer, analyzers) for child in node[1])
        if kind == "not":
            return not self.evaluate(index, node[1], source, query_analyzer, analyzers)
        _, field, raw = node
        if field == "*" and raw == "*":
            return True
        fields = list(index.properties) if field == "*" else [field]
        found = False
        for name in fields:
            mapping = index.properties.get(name)
            if mapping is None:
                continue
            if mapping["type"] == "text":
                analyzer = index.search_analyzer(name, query_analyzer)
                analyzers[name] = analyzer
                found |= self.text_matches(index, name, unescape(raw), analyzer, source, phrase=kind == "phrase")
            else:
                found |= self.field_is(index, name, unescape(raw), source)
        return found

    def field_is(self, index, field, wanted, source):
        kind = index.properties.get(field, {}).get("type")
        for value in as_list(source.get(field)):
            if kind in ("long", "integer", "short", "byte", "double", "float"):
                try:
                    if float(value) == float(wanted):
                        return True
                except ValueError:
                    continue
            elif str(value) == wanted:
                return True
        return False

    def text_matches(self, index, field, text, analyzer, source, phrase):
        wanted_words = index.synonyms(analyzer, text.lower())
        for value in as_list(source.get(field)):
            value = str(value).lower()
            if index.is_ik(analyzer) or phrase:
                if any(word in value for word in wanted_words):
                    return True
            else:
                tokens = set(STANDARD_TOKEN.findall(value))
                wanted = STANDARD_TOKEN.findall(text.lower())
                if wanted and all(token in tokens for token in wanted):
                    return True
        return False

    # HTTP ------------------------------------------------------------------------------------

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def setup(self):
                super().setup()
                fake.connections.add(self.connection)

            def finish(self):
                fake.connections.discard(self.connection)
                super().finish()

            def _body(self):
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length).decode() if length else ""
                if not raw:
                    return None
                if urlparse(self.path).path.rstrip("/").endswith("_bulk"):
                    if not raw.endswith("\n"):
                        raise ElasticsearchError(
                            400, "illegal_argument_exception", "The bulk request must be terminated by a newline [\\n]"
                        )
                    return [json.loads(line) for line in raw.splitlines() if line.strip()]
                return json.loads(raw)

            def _serve(self):
                url = urlparse(self.path)
                params = {key: values[0] for key, values in parse_qs(url.query).items()}
                try:
                    body = self._body()
                    with fake.lock:
                        fake.requests.append((self.command, url.path, params, body))
                        status, answer = fake.handle(self.command, url.path, params, body)
                except ElasticsearchError as error:
                    status, answer = error.status, error.body()
                except (ValueError, KeyError, TypeError) as error:
                    status, answer = 400, ElasticsearchError(400, "parse_exception", repr(error)).body()
                data = b"" if answer is None else json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("X-Elastic-Product", "Elasticsearch")
                self.send_header("Content-Type", "application/json; charset=UTF-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(data)

            do_GET = do_HEAD = do_PUT = do_POST = do_DELETE = _serve

        return Handler
