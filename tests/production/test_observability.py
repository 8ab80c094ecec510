"""``/metrics`` and ``/ready`` of a running app; settings of the production profile."""

import uuid
from datetime import UTC, datetime

from core.jobs_app.tables import OutboxMessage
from core.settings import Settings, check_profile, load_settings


async def test_metrics_expose_requests_jobs_and_outbox_pending_per_tenant(
        client, make_tenant, drain):
    tenant = await make_tenant(plugins=("alpha",))
    await OutboxMessage.insert(OutboxMessage(  # committed, not yet relayed
        message_id=uuid.uuid4(), tenant=tenant.id, actor_name="alpha.touch",
        payload={"note": "pending"}, created_at=datetime.now(UTC)))
    await client.get(f"/sede/{tenant.slug}/alpha/ping")
    text = (await client.get("/metrics")).text
    assert f'concejo_outbox_pending{{tenant="{tenant.slug}"}} 1.0' in text
    assert "concejo_tenants " in text
    assert 'concejo_queue_depth{queue="concejo"}' in text
    assert "# TYPE concejo_http_request_duration_seconds histogram" in text
    await drain()
    text = (await client.get("/metrics")).text
    assert f'concejo_outbox_pending{{tenant="{tenant.slug}"}}' not in text
    assert f'concejo_jobs_total{{actor="alpha.touch",outcome="done",tenant="{tenant.id}"}}' \
        in text


async def test_ready_checks_database_migrations_broker_and_blobs(client):
    response = await client.get("/ready")
    assert response.status_code == 200
    assert response.json() == {"status": "ready", "checks": {
        "database": "ok", "migrations": "ok", "broker": "ok", "blobs": "ok"}}


def test_production_profile_names_every_missing_setting():
    settings = Settings(profile="production", database_url="sqlite:///x.sqlite")
    problems = settings.production_problems()
    assert any("postgresql" in p for p in problems)
    assert any("broker_url" in p for p in problems)
    assert any("blob_url" in p for p in problems)
    assert any("secret_key" in p for p in problems)
    assert settings.effective_log_format == "json"
    try:
        check_profile(settings)
    except SystemExit as exc:
        assert "broker_url" in str(exc)
    else:
        raise AssertionError("an incomplete production profile must not start")


def test_environment_values_are_converted_to_their_types():
    settings = load_settings(environ={"CONCEJO_RATE_LIMIT_PER_TENANT": "12.5",
                                      "CONCEJO_RATE_LIMIT_BURST": "30",
                                      "CONCEJO_LOG_FORMAT": "json"})
    assert settings.rate_limit_per_tenant == 12.5 and settings.rate_limit_burst == 30
    assert settings.effective_log_format == "json" and settings.profile == "embedded"
