"""schemathesis against the app's own OpenAPI spec: generated requests never cause a server error
(bounded: a few examples per operation)."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from web_support import write_config


@pytest.fixture(scope="session")
def api_schema(tmp_path_factory, media):
    from clipora_web.app import create_app

    folder = tmp_path_factory.mktemp("web-schema")
    app = create_app(
        write_config(folder),
        media_dirs=[media["folder"]],
        allowed_hosts={"testserver", "localhost", "127.0.0.1"},
    )
    return schemathesis.openapi.from_asgi("/openapi.json", app)


def test_no_server_errors(api_schema):
    # Driven by hand (not `schemathesis.pytest.from_fixture`, which breaks on pytest 9).
    checked = []
    for result in api_schema.get_all_operations():
        operation = result.ok()

        @given(case=operation.as_strategy())
        @settings(
            max_examples=8, deadline=None, suppress_health_check=list(HealthCheck), database=None
        )
        def check(case):
            case.call_and_validate(checks=[not_a_server_error])

        check()
        checked.append(operation.label)
    assert len(checked) >= 12, checked


def test_spec_lists_the_api(api_schema):
    raw = api_schema.raw_schema
    for path in (
        "/api/config",
        "/api/jobs",
        "/api/jobs/{job_id}",
        "/api/jobs/{job_id}/logs",
        "/api/jobs/{job_id}/outputs/{index}",
        "/api/jobs/{job_id}/stop",
        "/api/jobs/{job_id}/rerun",
        "/api/plugins",
        "/api/batches",
        "/api/batches/{batch_id}",
        "/api/jobs/{job_id}/outputs/{index}/thumbnail",
    ):
        assert path in raw["paths"], path
    assert "multipart/form-data" in raw["paths"]["/api/jobs"]["post"]["requestBody"]["content"]
