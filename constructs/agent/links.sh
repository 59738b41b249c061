#!/bin/sh
# shellcheck shell=sh source-path=SCRIPTDIR source=lib.sh disable=SC2154
. "${0%/*}/lib.sh"

# Weave's links to the other clusters, as Weave itself reports them on this node, per remote cluster:
# connections established of expected, encrypted or not, fastdp or sleeve, MTU, and for each failure
# the cause in words with its fix. Logged once per change and kept in a status file on the node that
# `weave-mesh status` collects. Never part of readiness: a remote outage must not stall a rollout.
# The parameter peers (from the preamble) holds, `;`-separated, per other cluster: its name, then its
# peer addresses (its workers, as known_peers lists them), a run of consecutive ones written FIRST+N,
# then its workers' private addresses as PRIVATE=ADDRESS (FIRST+N=ADDRESS: the k-th private address
# belongs to ADDRESS's k-th successor): a worker in a network this node shares may connect from its
# private address, and that connection is its link.
# shellcheck disable=SC2154

# Weave's router serves its status on 127.0.0.1:6784 (WEAVE_HTTP_ADDR in weave-kube's launch.sh), in
# the node's network namespace, which is the agent's: hostNetwork. /status/connections is one line
# per connection or connection attempt (prog/weaver/http.go at v2.6.5, connectionsTemplate):
#   -> 198.51.100.11:6783     established encrypted   fastdp 4a:...:ff(node-b1) encrypted=truemtu=1376
#   -> 198.51.100.12:6783     failed      Unable to decrypt TCP msg, retry: 2020-07-01 10:00:00 +0000 UTC
# direction, address, state (established, pending, retrying, failed, connecting), then Info: for a
# connection "[encrypted|unencrypted] DATAPATH PEER" (only with a password) and its attributes run
# together (mtu=N, encrypted=true); for an attempt, the last error (vendor/.../mesh/status.go).
weave_status_url=${WEAVE_MESH_WEAVE_URL:-http://127.0.0.1:6784}/status/connections
status_limit=3

# weave_connections: sets conns to Weave's connection list, or failure to why it could not be read.
# weave-kube's image has curl (prog/weaver/Dockerfile.template: apk add curl); BusyBox wget otherwise.
weave_connections() {
  failure=
  if command -v curl >/dev/null 2>&1; then
    conns=$(bounded $status_limit curl -sS --max-time $status_limit "$weave_status_url" 2>&1)
    status=$?
    case $status in
      0) return 0 ;;
      7) failure="Weave does not answer on 127.0.0.1:6784 (connection refused): weave-net is not running on this node, or is starting" ;;
      28 | 124 | 143) failure="Weave did not answer on 127.0.0.1:6784 within $status_limit s: weave-net is overloaded or hanging; see its log (kubectl -n kube-system logs -l name=weave-net -c weave)" ;;
      *) failure="Weave's status could not be read: curl $(meaning curl $status $status_limit): $(echo "$conns" | head -n 1)" ;;
    esac
  else
    conns=$(bounded $status_limit wget -q -O - "$weave_status_url" 2>&1)
    status=$?
    case $status in
      0) return 0 ;;
      124 | 143) failure="Weave did not answer on 127.0.0.1:6784 within $status_limit s: weave-net is overloaded or hanging; see its log (kubectl -n kube-system logs -l name=weave-net -c weave)" ;;
      *) failure="Weave does not answer on 127.0.0.1:6784 (wget $(meaning wget $status $status_limit): $(echo "$conns" | head -n 1)): weave-net is not running on this node, or is starting" ;;
    esac
  fi
  return 1
}

# link_report: one line per other cluster, tab-separated: name, established, expected, encryption,
# datapath, MTU, state (up, degraded, down) and the report in words.
link_report() {
  printf '%s\n#conns\n%s\n' "$(echo "$peers" | tr ';' '\n')" "$conns" | awk '
    function add(c, address) { cluster[address] = c; expected[c]++; peer[c, expected[c]] = address }
    function number(address) { split(address, octet, "."); return ((octet[1] * 256 + octet[2]) * 256 + octet[3]) * 256 + octet[4] }
    function dotted(n) { return int(n / 16777216) "." (int(n / 65536) % 256) "." (int(n / 256) % 256) "." (n % 256) }
    # expand(WORD): sets addr[0..] to the addresses WORD names (FIRST+N: FIRST and the N after it) and returns their count.
    function expand(word,   k, first) {
      if (word !~ /^[0-9.]+\+[0-9]+$/) { addr[0] = word; return 1 }
      split(word, run, "+"); first = number(run[1])
      for (k = 0; k <= run[2]; k++) addr[k] = dotted(first + k)
      return run[2] + 1
    }
    function cause(state, info) {
      if (info ~ /Unable to decrypt TCP msg/) return "password"
      if (info ~ /seeded by different peers/) return "ipam"
      if (info ~ /Incompatible IP allocation ranges/) return "range"
      if (info ~ /connection refused/) return "refused"
      if (info ~ /i\/o timeout|connection timed out|no route to host|network is unreachable/) return "tcp"
      if (info ~ /timed out waiting for UDP heartbeat|no working forwarders/) return "udp"
      if (state == "pending") return "pending"
      if (state == "connecting" && info == "") return "connecting"
      return "other"
    }
    function words(c, n, sample) {
      if (c == "password") return n " rejected by the Weave password (Weave: \"Unable to decrypt TCP msg\"): the clusters use different password files; give all the same network.weave.password, then delete the kube-system/weave-passwd Secret and restart weave-net where it differs"
      if (c == "ipam") return n " refused as a separate Weave network (Weave: \"IP allocation was seeded by different peers\"): the clusters started Weave apart; on the smaller side remove Weave'"'"'s persisted data (/var/lib/weave/weave-netdata.db) on every node and restart weave-net there"
      if (c == "range") return n " refused (Weave: \"Incompatible IP allocation ranges\"): pod_network_cidr differs between the clusters; make it the same everywhere"
      if (c == "refused") return n " refused on 6783/tcp (connection refused): Weave is not running there, or a firewall rejects 6783/tcp"
      if (c == "tcp") return n " unreachable on 6783/tcp (" sample "): a firewall drops 6783/tcp between the clusters (firewalld: trusted_subnets)"
      if (c == "udp") return n " without UDP (TCP up, no UDP heartbeat): a firewall blocks 6783/udp and 6784/udp between the clusters"
      if (c == "pending") return n " pending (TCP up, Weave'"'"'s UDP heartbeat not confirmed yet): normal for a few seconds after a connection starts; if it stays, a firewall blocks 6783/udp and 6784/udp between the clusters"
      if (c == "connecting") return n " connecting (no answer on 6783/tcp yet: a firewall that drops it looks like this)"
      if (c == "missing") return n " unknown to Weave on this node: not in its known_peers; run pharos up with the rendered cluster.yml"
      if (c == "named") return n " given by host name: Weave lists its connections by IP address, so whether these links are up cannot be told; give the workers'"'"' IP addresses as hosts[].address to have them checked"
      return n " failing (Weave: \"" sample "\")"
    }
    BEGIN { kinds = split("password ipam range refused tcp udp pending connecting missing named other", kind); FS = "[ \t]+"; rank["established"] = 5; rank["pending"] = 4; rank["retrying"] = 3; rank["connecting"] = 3; rank["failed"] = 2; rank["waiting"] = 1 }
    !started && /^#conns$/ { started = 1; FS = " "; next }
    !started {
      if ($1 == "") next
      order[++clusters] = $1
      for (i = 2; i <= NF; i++) {
        if ($i !~ /=/) { n = expand($i); for (k = 0; k < n; k++) add($1, addr[k]); continue }
        # PRIVATE=ADDRESS: a connection from PRIVATE is one to or from ADDRESS.
        # One given for two addresses names neither: it stays unmapped.
        split($i, pair, "="); n = expand(pair[1])
        # (Not alias[a] = (a in alias) ...: BusyBox awk makes the element before it reads the right-hand side.)
        for (k = 0; k < n; k++) { a = addr[k]; to = k == 0 ? pair[2] : dotted(number(pair[2]) + k); if ((a in alias) && alias[a] != to) alias[a] = ""; else alias[a] = to }
      }
      next
    }
    $1 == "->" || $1 == "<-" {
      host = $2; sub(/:[0-9]+$/, "", host)
      # A peer address always names its own peer: a private address never shadows it, wherever listed.
      if (!(host in cluster) && (host in alias)) host = alias[host]
      if (!(host in cluster)) next
      info = $0; sub(/^(->|<-) +[^ ]+ +[^ ]+ */, "", info)
      if (host in best && rank[$3] <= rank[best[host]]) next
      best[host] = $3; text[host] = info
    }
    END {
      for (k = 1; k <= clusters; k++) {
        c = order[k]; est = 0; enc = 0; unenc = 0; fast = 0; sleeve = 0; mtus = ""; split("", count); split("", first); problems = ""
        for (j = 1; j <= expected[c]; j++) {
          h = peer[c, j]
          if (!(h in best)) {
            # Weave names connections by IP address: a peer given by host name never appears as such.
            if (h ~ /^[0-9.]+$/) why = "missing"; else why = "named"
            if (why in count) where[why] = where[why] ", " h; else where[why] = h
            count[why]++
            continue
          }
          if (best[h] == "established") {
            est++
            t = text[h]
            if (t ~ /^encrypted /) enc++; else unenc++
            if (t ~ /(^| )sleeve /) sleeve++; else if (t ~ /(^| )fastdp /) fast++
            # Not mtus (...): BusyBox awk 1.28 and 1.30, as in weave-kube 2.6.5, read a name before a parenthesis as a call ("Call to undefined function").
            if (match(t, /mtu=[0-9]+/)) { m = substr(t, RSTART + 4, RLENGTH - 4); if (("," mtus ",") !~ ("," m ",")) mtus = (mtus == "" ? "" : mtus ",") m }
            continue
          }
          why = cause(best[h], text[h])
          count[why]++
          if (!(why in first)) { s = text[h]; sub(/, retry: .*$/, "", s); first[why] = s; where[why] = h } else where[why] = where[why] ", " h
        }
        for (i = 1; i <= kinds; i++) { why = kind[i]; if (why in count) problems = problems "; " words(why, where[why], first[why]) }
        encryption = est == 0 ? "-" : unenc == 0 ? "encrypted" : enc == 0 ? "unencrypted" : enc " encrypted, " unenc " unencrypted"
        datapath = est == 0 ? "-" : sleeve == 0 ? "fastdp" : fast == 0 ? "sleeve" : fast " fastdp, " sleeve " sleeve"
        state = est == expected[c] ? "up" : est == 0 ? "down" : "degraded"
        report = est " of " expected[c] " connections established"
        if (est > 0) report = report ", " encryption ", " datapath ", mtu " (mtus == "" ? "-" : mtus)
        if (unenc > 0) report = report " (unencrypted: no Weave password, or network.weave.trusted_subnets covers these peers)"
        if (sleeve > 0) report = report " (sleeve, not fastdp: 6784/udp or, when encrypted, ESP is blocked, or the underlay carries less than Weave'"'"'s MTU plus its overhead)"
        print c "\t" est "\t" expected[c] "\t" encryption "\t" datapath "\t" (mtus == "" ? "-" : mtus) "\t" state "\t" report problems
      }
    }'
}

# link_key CLUSTER: a name for the reports of one cluster.
link_key() { echo "link_$1" | sed 's/[^A-Za-z0-9_]/_/g'; }

# write_status LINES: replaces the status file, atomically (a reader never sees half of it).
write_status() {
  { echo "# route-config: Weave's links to the other clusters, from this node; $(date -u +%Y-%m-%dT%H:%M:%SZ)"; echo "$1"; } >"$status_dir/links.tmp" 2>/dev/null &&
    mv -f "$status_dir/links.tmp" "$status_dir/links" 2>/dev/null
}

# report_links: reads Weave's status, logs what changed per remote cluster, and keeps the status file.
report_links() {
  [ -n "$peers" ] || return 0
  if ! weave_connections; then
    fault weave_status "weave: $failure; links to the other clusters unknown"
    lines="weave	$failure"
  else
    cleared weave_status "weave: answers on 127.0.0.1:6784 again"
    report=$(link_report)
    lines=$(echo "$report" | awk -F '\t' '{ print "link\t" $0 }')
    while IFS='	' read -r name _est _expected _enc _path _mtu state words; do
      [ -n "$name" ] || continue
      key=$(link_key "$name")
      eval "was=\${$key:-}"
      [ "$was" = "$state $words" ] || log "weave: links to $name: $words"
      eval "$key=\"\$state \$words\""
    done <<REPORT
$report
REPORT
    lines="weave	ok
$lines"
  fi
  if write_status "$lines"; then
    cleared status_file "status file $status_dir/links is written again"
  else
    fault status_file "could not write the status file $status_dir/links (read-only, or the volume is missing): weave-mesh status cannot show this node"
  fi
}
