# Sourced by the scripts: $UV is the uv command (on PATH, or the pip-installed module).
if command -v uv >/dev/null 2>&1; then UV="uv"; else UV="python3 -m uv"; fi
