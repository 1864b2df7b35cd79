"""The handbook's pipeline, generic over policies. Its folders follow the data flow:

- ``source/``: ``policy_src/<id>/`` read and validated (text, commentary, facts, rules, casebook);
- ``rulebook/``: the rule source compiled for the generic checker (``policycheck``);
- ``bundle.py``: both, loaded and validated once, with the casebook's computed results;
- ``render/``: the Jinja partials shared by the web pages and the PDFs;
- ``site/``: MkDocs hooks and macros that generate the pages from the bundle;
- ``pdf/``: the printed editions, from the bundle;
- ``browser/``: the checker in the reader's browser (Pyodide, a policy-free wheel, the rulebook);
- ``publish/``: response headers, the local server, the archive for static hosts;
- ``proof/``: exhaustive proofs of a rulebook, with their own reference evaluator;
- ``common/``: one home each for URLs, files, build time, compression and MIME types;
- ``build.py``: the whole site from one bundle, every step in order.
"""
