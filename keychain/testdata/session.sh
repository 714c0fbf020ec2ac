#!/bin/sh
# session.sh MODE COMMAND [ARG...] runs COMMAND beside a Secret Service of
# its own, in the D-Bus session that dbus-run-session started with
# session.conf, and stops that service afterwards. Point HOME and the XDG
# directories at a temporary directory first: the keyring is kept there.
#
# MODE is one of
#   unlocked    GNOME Keyring, its login keyring created and unlocked with
#               the password "pw"
#   locked      GNOME Keyring that nobody unlocks (its prompt cannot show)
#   no-service  no Secret Service at all
set -u
mode=$1
shift
case $mode in
unlocked) printf pw | gnome-keyring-daemon --foreground --unlock --components=secrets >/dev/null 2>&1 & ;;
locked) gnome-keyring-daemon --foreground --components=secrets </dev/null >/dev/null 2>&1 & ;;
no-service) ;;
*)
	echo "session.sh: unknown mode $mode" >&2
	exit 2
	;;
esac
pid=${!:-}
if [ -n "$pid" ]; then
	i=0
	until dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
		org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null | grep -q true; do
		i=$((i + 1))
		if [ $i -gt 200 ]; then
			echo "session.sh: gnome-keyring-daemon did not come up on the session bus" >&2
			kill "$pid"
			exit 1
		fi
		sleep 0.05
	done
fi
USER_SECRETS_KEYCHAIN_SESSION=$mode "$@"
status=$?
if [ -n "$pid" ]; then
	kill "$pid"
	wait "$pid"
fi
exit $status
