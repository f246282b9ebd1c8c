# Tandem's container image: `tandem serve` by default; `tandem worker` and `tandem db upgrade` from the same image.
#
#   docker build -t tandem .
#   docker run --rm --env-file deploy/tandem.env tandem tandem db upgrade
#   docker run -d --env-file deploy/tandem.env -p 127.0.0.1:8000:8000 tandem
#
# No secret is baked in: TANDEM_SECRET_KEY, TANDEM_DATABASE_URL and the rest come from the environment at run
# time (deploy/tandem.env.example lists them); signing keys and evidence files live in the database.
# PYTHON_IMAGE may name another Python 3.11+ image on Debian (it needs `python3 -m venv`).
ARG PYTHON_IMAGE=python:3.11-slim

# ---- build: translations compiled, Tandem and its dependencies installed into a virtualenv ----
FROM ${PYTHON_IMAGE} AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1 PYTHONDONTWRITEBYTECODE=1
WORKDIR /src
RUN python3 -m venv /opt/tandem
# Babel (pybabel) compiles the .po files; it is a dependency of Flask-Babel at run time anyway.
RUN /opt/tandem/bin/pip install "babel>=2.14"
COPY pyproject.toml README.md babel.cfg ./
COPY plugin ./plugin
COPY lti ./lti
COPY curricula ./curricula
RUN /opt/tandem/bin/pybabel compile -d plugin/translations \
    && /opt/tandem/bin/pip install . \
    && /opt/tandem/bin/tandem --help >/dev/null

# ---- runtime: the virtualenv, the static files for nginx, a user without privileges ----
FROM ${PYTHON_IMAGE} AS runtime
LABEL org.opencontainers.image.title="Tandem" \
      org.opencontainers.image.description="Two-way mentoring as an LTI 1.3 / LTI Advantage tool"
# XDG_RUNTIME_DIR: gunicorn's control socket goes to /tmp (a tmpfs in deploy/compose.yaml), not $HOME.
ENV PATH=/opt/tandem/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    TANDEM_INSTANCE_PATH=/var/lib/tandem \
    XDG_RUNTIME_DIR=/tmp
RUN groupadd --system --gid 10001 tandem \
    && useradd --system --uid 10001 --gid tandem --home-dir /var/lib/tandem --no-create-home --shell /usr/sbin/nologin tandem \
    && install -d -o tandem -g tandem -m 0700 /var/lib/tandem \
    && install -d -o tandem -g tandem -m 0755 /srv/tandem/static-volume
COPY --from=build /opt/tandem /opt/tandem
# A copy of the package's static folder at a fixed path: the compose file's `static` job copies it into the
# volume nginx serves /static/ from (TANDEM_STATIC_ROOT of deploy/nginx/tandem.conf.template).
COPY --from=build /src/plugin/static /srv/tandem/static
USER tandem
WORKDIR /var/lib/tandem
EXPOSE 8000
# /healthz: the process answers (no database or Redis call); /readyz is for load balancers and monitoring.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python3", "-c", "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4).status != 200)"]
CMD ["tandem", "serve", "--host", "0.0.0.0", "--port", "8000", "--workers", "2"]
