#!/usr/bin/env bash
# A three-node Garage cluster on 127.0.0.1 (replication factor 3, consistent mode), for the
# tests, scripts/bench.sh and scripts/fault-injection.sh. Everything lives in DIR; ports are
# BASE..BASE+11 (per node: RPC, S3, K2V, admin).
#
#   garage-cluster.sh start DIR BASE   start the nodes, lay out the cluster, create bucket `ocfl`
#                                      and a key; prints the environment to use it (KEY=VALUE)
#   garage-cluster.sh tls DIR PORT     a TLS front (socat) on PORT for node 1's S3 API, with a
#                                      test CA (added to the system's store) and a certificate
#                                      for `localhost`: rocfl speaks only https to a host name
#   garage-cluster.sh stop-node DIR N  stop node N (1..3) / start-node DIR N: start it again
#   garage-cluster.sh stop DIR         stop everything started in DIR and remove the test CA
set -euo pipefail
top="$(cd "$(dirname "$0")/.." && pwd)"
cmd="$1"
dir="$(mkdir -p "$2" && cd "$2" && pwd)"

garage_bin() { "$top/scripts/garage.sh"; }

node_conf() { echo "$dir/n$1/garage.toml"; }

start_node() {
  local n="$1" garage
  garage="$(cat "$dir/garage-bin")"
  nohup "$garage" -c "$(node_conf "$n")" server >"$dir/n$n/log" 2>&1 &
  echo $! >"$dir/n$n/pid"
}

wait_port() {
  for _ in $(seq 1 200); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  echo "port $1 never opened" >&2
  return 1
}

case "$cmd" in
start)
  base="$3"
  garage="$(garage_bin)"
  echo "$garage" >"$dir/garage-bin"
  secret="$(openssl rand -hex 32)"
  for n in 1 2 3; do
    p=$((base + (n - 1) * 4))
    mkdir -p "$dir/n$n/meta" "$dir/n$n/data"
    cat >"$(node_conf "$n")" <<EOF
metadata_dir = "$dir/n$n/meta"
data_dir = "$dir/n$n/data"
db_engine = "sqlite"
replication_factor = 3
consistency_mode = "consistent"
rpc_bind_addr = "127.0.0.1:$p"
rpc_public_addr = "127.0.0.1:$p"
rpc_secret = "$secret"

[s3_api]
s3_region = "garage"
api_bind_addr = "127.0.0.1:$((p + 1))"

[k2v_api]
api_bind_addr = "127.0.0.1:$((p + 2))"

[admin]
api_bind_addr = "127.0.0.1:$((p + 3))"
EOF
    start_node "$n"
  done
  for n in 1 2 3; do wait_port $((base + (n - 1) * 4 + 1)); done
  g() { "$garage" -c "$(node_conf 1)" "$@"; }
  ids=()
  for n in 1 2 3; do
    ids+=("$("$garage" -c "$(node_conf "$n")" node id -q 2>/dev/null)")
  done
  for id in "${ids[@]:1}"; do g node connect "$id" >/dev/null; done
  for id in "${ids[@]}"; do g layout assign -z dc1 -c 1G "${id%@*}" >/dev/null; done
  g layout apply --version 1 >/dev/null
  # The layout reaches every node before the bucket is made.
  for _ in $(seq 1 100); do
    if g bucket create ocfl >/dev/null 2>&1; then break; fi
    sleep 0.2
  done
  g key create archivist-test >"$dir/key.txt"
  g bucket allow --read --write --owner ocfl --key archivist-test >/dev/null
  key_id="$(awk '/Key ID:/ {print $3}' "$dir/key.txt")"
  key_secret="$(awk '/Secret key:/ {print $3}' "$dir/key.txt")"
  cat >"$dir/env" <<EOF
AWS_ENDPOINT_URL=http://127.0.0.1:$((base + 1))
AWS_REGION=garage
AWS_ACCESS_KEY_ID=$key_id
AWS_SECRET_ACCESS_KEY=$key_secret
ARCHIVIST_K2V_ENDPOINT=http://127.0.0.1:$((base + 2))
EOF
  cat "$dir/env"
  ;;
tls)
  port="$3"
  s3="$(sed -n 's|^AWS_ENDPOINT_URL=http://127.0.0.1:||p' "$dir/env")"
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=archivist test CA" \
    -keyout "$dir/ca.key" -out "$dir/ca.crt" 2>/dev/null
  openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" \
    -keyout "$dir/leaf.key" -out "$dir/leaf.csr" 2>/dev/null
  printf 'subjectAltName=DNS:localhost\nbasicConstraints=CA:FALSE\n' >"$dir/leaf.ext"
  openssl x509 -req -in "$dir/leaf.csr" -CA "$dir/ca.crt" -CAkey "$dir/ca.key" \
    -CAcreateserial -days 2 -extfile "$dir/leaf.ext" -out "$dir/leaf.crt" 2>/dev/null
  cat "$dir/leaf.crt" "$dir/leaf.key" >"$dir/leaf.pem"
  name="archivist-test-$(basename "$dir")-$$.crt"
  cp "$dir/ca.crt" "/usr/local/share/ca-certificates/$name"
  echo "/usr/local/share/ca-certificates/$name" >"$dir/ca-installed"
  update-ca-certificates >/dev/null 2>&1
  nohup socat "OPENSSL-LISTEN:$port,bind=127.0.0.1,reuseaddr,fork,cert=$dir/leaf.pem,verify=0" \
    "TCP:127.0.0.1:$s3" >"$dir/socat.log" 2>&1 &
  echo $! >"$dir/socat.pid"
  wait_port "$port"
  echo "https://localhost:$port"
  ;;
stop-node)
  kill -9 "$(cat "$dir/n$3/pid")" 2>/dev/null || true
  ;;
start-node)
  start_node "$3"
  ;;
stop)
  for pidfile in "$dir"/n*/pid "$dir/socat.pid"; do
    [ -f "$pidfile" ] && kill "$(cat "$pidfile")" 2>/dev/null || true
  done
  if [ -f "$dir/ca-installed" ]; then
    rm -f "$(cat "$dir/ca-installed")" "$dir/ca-installed"
    update-ca-certificates --fresh >/dev/null 2>&1 || true
  fi
  ;;
*)
  echo "usage: $0 start|tls|stop-node|start-node|stop DIR ..." >&2
  exit 2
  ;;
esac
