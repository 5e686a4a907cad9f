using NetbootPi.Protocols.Net;

namespace NetbootPi.Agent.Render.Boot;

/// <summary>
/// The host-side uploader served at <c>/apkovl/upload.sh</c>: packs the running Alpine host's changes with
/// <c>lbu package</c> and PUTs them to the box, with the host's overlay token when it has one installed.
/// Run on the host as <c>wget -qO- http://BOX/apkovl/upload.sh | sh</c>.
/// </summary>
public static class OverlayUploadScript
{
    /// <param name="box">The box as the host reached it.</param>
    /// <param name="mac">The MAC of the host the request came from, when the box knows it by its address.</param>
    public static string Render(BootRequest box, MacAddress? mac)
    {
        var macLine = mac is { } m
            ? $"mac=${{1:-{m}}}"
            // Unknown requester: the MAC of the interface the box is reached through.
            : $"mac=${{1:-$(cat /sys/class/net/$(ip route get {box.BoxAddress} | sed -n 's/.* dev \\([^ ]*\\).*/\\1/p')/address)}}";
        return $$"""
            #!/bin/sh
            # netbootpi: save this host's Alpine overlay on the box it boots from.
            # Usage: wget -qO- {{box.BoxUrl}}/apkovl/upload.sh | sh [-s MAC]
            # The box accepts the upload from the host's own static address in the site file; a host without
            # one sends its token, kept in $NETBOOTPI_TOKEN_FILE (default /etc/netbootpi/token; on the box:
            # netbootpi overlay token HOST).
            set -eu
            box={{box.BoxUrl}}
            {{macLine}}
            token_file=${NETBOOTPI_TOKEN_FILE:-/etc/netbootpi/token}
            umask 077
            tmp=$(mktemp -d)
            trap 'rm -rf "$tmp"' EXIT
            # The token goes into files only (printf is a shell builtin): never onto a command line others can read.
            if [ -r "$token_file" ]; then
                token=$(tr -d ' \t\r\n' < "$token_file")
                printf 'Authorization: Bearer %s\n' "$token" > "$tmp/header"
                printf 'header = Authorization: Bearer %s\n' "$token" > "$tmp/wgetrc"
            fi
            lbu package "$tmp/overlay.tar.gz"
            if command -v curl >/dev/null 2>&1; then
                if [ -f "$tmp/header" ]; then set -- -H "@$tmp/header"; else set --; fi
                curl -fsS "$@" -T "$tmp/overlay.tar.gz" "$box/apkovl/$mac.tar.gz"
            elif wget --help 2>&1 | grep -q -- --method; then
                [ -f "$tmp/wgetrc" ] || : > "$tmp/wgetrc"
                WGETRC="$tmp/wgetrc" wget -q -O- --method=PUT --body-file="$tmp/overlay.tar.gz" "$box/apkovl/$mac.tar.gz"
            else
                echo "upload.sh: needs curl or GNU wget for an HTTP PUT (apk add curl)" >&2
                exit 1
            fi

            """;
    }
}
