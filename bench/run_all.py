"""Run every benchmark in turn: `make bench`."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import (
    batch,
    bulk_run,
    company_context,
    docx_render,
    kpi_mapping,
    load_org,
    near_duplicates,
    nightly_noop,
    review_at_scale,
    startup,
    throughput,
)

for module in (
    startup,
    load_org,
    kpi_mapping,
    throughput,
    bulk_run,
    nightly_noop,
    batch,
    company_context,
    review_at_scale,
    near_duplicates,
    docx_render,
):
    print(f"== {module.__name__}")
    module.main()
