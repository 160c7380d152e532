"""The deployment files keep what a class-sized deployment needs (docs/deploy.md explains each part)."""
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_kubernetes_manifest_has_replicas_probes_limits_affinity_and_a_shared_secret():
    manifest = (ROOT / "deploy/k8s/explainer.yaml").read_text()
    for part in ("kind: Deployment", "replicas:", "readinessProbe", "livenessProbe", "/_stcore/health",
                 "limits:", "kind: Service", "sessionAffinity: ClientIP", "kind: Ingress",
                 "nginx.ingress.kubernetes.io/affinity: \"cookie\"", "proxy-read-timeout",
                 "STREAMLIT_SERVER_COOKIE_SECRET", "kind: Secret"):
        assert part in manifest, part


def test_dockerfile_is_slim_cpu_only_non_root_and_health_checked():
    dockerfile = (ROOT / "Dockerfile").read_text()
    for part in ("python:3.11-slim", "download.pytorch.org/whl/cpu", "torch==2.13.0", "USER app", "HEALTHCHECK",
                 "/_stcore/health", "STREAMLIT_SERVER_HEADLESS=true", "FILE_WATCHER_TYPE=none"):
        assert part in dockerfile, part


def test_requirements_pin_torch():
    assert "torch==2.13.0" in (ROOT / "requirements.txt").read_text().splitlines()
