# Sourced by the other scripts: makes sure a virtual environment with
# cwrap-suite (and its test extras) installed exists, and sets $venv.
#
# It is built from Debian's /usr/bin/python3 so that programs run as an
# unprivileged user can use it.  As root, it goes to /var/tmp/cwrap-venv
# (readable by every user, unlike a checkout under /root); otherwise to
# .venv in the checkout.  CWRAP_VENV chooses another place.
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
if [ "$(id -u)" = 0 ]; then
	venv=${CWRAP_VENV:-/var/tmp/cwrap-venv}
else
	venv=${CWRAP_VENV:-$here/.venv}
fi
python=${CWRAP_PYTHON:-/usr/bin/python3}

if [ ! -x "$venv/bin/python" ]; then
	echo "cwrap: creating virtual environment $venv" >&2
	(umask 022 && "$python" -m venv "$venv") || {
		echo "cwrap: cannot create a venv with $python: install python3-venv" >&2
		exit 1
	}
fi
echo "cwrap: installing cwrap-suite into $venv" >&2
(umask 022 && "$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
	"$here[test,namespaces]" && "$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
	--no-deps --force-reinstall "$here")
