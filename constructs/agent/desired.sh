#!/bin/sh
# shellcheck shell=sh source-path=SCRIPTDIR source=lib.sh disable=SC2154,SC2034
. "${0%/*}/lib.sh"

# What the agent and its probe share: which iptables holds Weave's rules, the desired chains, and
# how the node's chains compare with them.
# shellcheck disable=SC2154

# The agent's rules, exactly as iptables-save prints them, derived from the generated preamble's
# local_subnet (this cluster's pods) and desired (the other clusters' subnets): pods of this cluster
# may leave through weave for each other subnet (filter), and pod traffic between the two is never
# masqueraded, both ways (nat).
forward_rules=$(for subnet in $desired; do
  echo "-A $forward_chain -s $local_subnet -d $subnet -i weave -o weave -j ACCEPT"
done)
nat_rules=$(for subnet in $desired; do
  echo "-A $nat_chain -s $local_subnet -d $subnet -o weave -j ACCEPT"
  echo "-A $nat_chain -s $subnet -d $local_subnet -o weave -j ACCEPT"
done)

# choose_backend: sets backend (legacy or nft), why, and snap to that backend's snapshot: the
# iptables that holds Weave's rules. Sets backend empty and failure when it cannot tell. Never lists
# a table of a backend Weave does not use, so no empty legacy tables appear on nft nodes.
choose_backend() {
  backend=; why=; failure=
  case $layout in
    none) failure="no iptables-save in the image (neither iptables 1.8's iptables-legacy-save/iptables-nft-save nor 1.6's iptables-save)"; return ;;
    plain)
      [ "$iptables_setting" != nft ] || { failure="iptablesBackend is nft, but this image has only iptables 1.6 (legacy)"; return; }
      snapshot legacy || return
      backend=legacy; why="the image has only iptables 1.6, which is legacy, as Weave on this node"
      return ;;
  esac
  case $iptables_setting in
    legacy | nft)
      snapshot "$iptables_setting" || return
      backend=$iptables_setting; why="set in the DaemonSet"
      return ;;
  esac
  legacy_failure=; nft_failure=
  n_legacy=; legacy_weave=no; legacy_snap=
  if snapshot legacy; then
    n_legacy=$(rule_count); legacy_snap=$snap
    has_chain nat WEAVE && legacy_weave=yes
    # Weave's launch.sh takes legacy when it holds 10 or more rules: no need to read nft at all.
    if [ "$legacy_weave" = yes ] && [ "$n_legacy" -ge 10 ]; then
      backend=legacy; why="Weave's rules are there"; return
    fi
  else
    legacy_failure=$failure
  fi
  n_nft=; nft_weave=no
  if ! snapshot nft; then
    nft_failure=$failure
  elif [ "$(table_count)" = 0 ]; then
    # Empty: either nf_tables holds nothing, or iptables-nft-save 1.8.3 could not read it (it exits 0
    # with no output when the kernel refuses nf_tables). Not a count of 0 rules for launch.sh's rule.
    nft_failure="$(tool nft -save) printed no table (exit 0): nf_tables could not be read (iptables 1.8.3 prints nothing when the kernel refuses it) or holds no table yet"
  else
    n_nft=$(rule_count)
    has_chain nat WEAVE && nft_weave=yes
  fi
  failure=
  if [ -n "$n_nft" ] && [ "$nft_weave" = yes ] && [ "$legacy_weave" = no ]; then
    backend=nft; why="Weave's rules are there"
  elif [ -n "$n_legacy" ] && [ "$legacy_weave" = yes ] && [ "$nft_weave" = no ] && [ -z "$nft_failure" ]; then
    backend=legacy; why="Weave's rules are there"; snap=$legacy_snap
  elif [ -n "$n_legacy" ] && [ -n "$n_nft" ]; then
    # As Weave's launch.sh chooses: legacy with 10 or more legacy rules, or at least as many as nft.
    if [ "$n_legacy" -ge 10 ] || [ "$n_legacy" -ge "$n_nft" ]; then backend=legacy; snap=$legacy_snap; else backend=nft; fi
    why="Weave's rules were not found, so chosen as Weave's launch.sh would ($n_legacy legacy rules, $n_nft nft rules)"
  elif [ -n "$n_legacy" ] && [ "$legacy_weave" = yes ]; then
    backend=legacy; why="Weave's rules are there ($nft_failure)"; snap=$legacy_snap
  else
    failure="cannot tell which iptables Weave uses: ${legacy_failure:-iptables-legacy-save shows no Weave rules}; ${nft_failure:-iptables-nft-save shows no Weave rules}"
  fi
}

# check_table TABLE PARENT CHAIN PLACE RULES: compares the snapshot with the desired chain; sets
# problem (empty when all is in place), copies (jumps found) and want (where the jump belongs).
# PLACE is after:REGEX (the jump follows the first rule matching it, else comes first) or before:REGEX.
check_table() {
  problem=
  current=$(echo "$snap" | awk -v t="$1" -v c="$3" '$1 == t && $2 == "-A" && $3 == c { sub(/^[^ ]+ /, ""); print }')
  state=$(echo "$snap" | awk -v t="$1" -v p="$2" -v chain="$3" -v place="$4" '
    $1 != t || $2 != "-A" || $3 != p { next }
    { sub(/^[^ ]+ /, ""); i++ }
    $(NF - 1) == "-j" && $NF == chain { n++; if (!at) at = i; next }
    { k++; if (!anchor && $0 ~ substr(place, index(place, ":") + 1)) anchor = k }
    END {
      if (place ~ /^after:/) { want = anchor + 1; ok = n == 1 && at == want }
      else { want = 1; ok = n == 1 && (!anchor || at <= anchor) }
      print n + 0, ok, want
    }')
  copies=${state%% *}; want=${state##* }; ok=${state#* }; ok=${ok%% *}
  if [ -z "$current" ] && ! has_chain "$1" "$3" && [ "$copies" = 0 ]; then problem="was missing"
  elif [ "$current" != "$5" ]; then problem="differed from the mesh"
  elif ! has_chain "$1" "$3"; then problem="was missing"
  elif [ "$copies" = 0 ]; then problem="had no jump from $2"
  elif [ "$copies" != 1 ]; then problem="had $copies jumps from $2"
  elif [ "$ok" != 1 ]; then problem="had its jump out of place in $2"
  fi
}
forward_table() { check_table filter FORWARD "$forward_chain" 'after:^-A FORWARD -i weave .*-j WEAVE-NPC-EGRESS$' "$forward_rules"; }
nat_table() { check_table nat POSTROUTING "$nat_chain" 'before:-j WEAVE$' "$nat_rules"; }
output_table() { check_table filter OUTPUT "$output_chain" 'before:.' "$output_rules"; }
# The rule of WMESH-OUTPUT: the node never redirects a pod to another node's address on weave.
output_rules="-A $output_chain -o weave -p icmp -m icmp --icmp-type 5 -j DROP"

