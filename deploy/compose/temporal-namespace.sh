#!/bin/sh
# One-shot namespace job (admin-tools image), run by docker-compose.yml once the server is up.
# Waits until the cluster answers, creates the namespace when missing, then each search
# attribute in PEER_COMMS_SEARCH_ATTRIBUTES ("Name=Type …") that the namespace lacks.
# Safe to repeat. The worker checks the same attributes when it starts.
set -eu

address="${TEMPORAL_ADDRESS:-temporal:7233}"
namespace="${TEMPORAL_NAMESPACE:-default}"
attempts="${PEER_COMMS_SETUP_ATTEMPTS:-60}"

n=1
until temporal operator cluster health --address "$address" >/dev/null 2>&1; do
  if [ "$n" -ge "$attempts" ]; then
    echo "namespace job: Temporal at $address did not answer after $attempts tries; see: docker compose logs temporal" >&2
    exit 1
  fi
  n=$((n + 1))
  sleep 2
done

if temporal operator namespace describe --address "$address" --namespace "$namespace" >/dev/null 2>&1; then
  echo "namespace job: namespace $namespace is there"
else
  temporal operator namespace create --address "$address" --namespace "$namespace" --retention 30d
  echo "namespace job: created namespace $namespace"
fi

# A namespace just created takes a few seconds to be known to every part of the server.
n=1
until have=$(temporal operator search-attribute list --address "$address" --namespace "$namespace" --output json 2>&1); do
  if [ "$n" -ge "$attempts" ]; then
    printf '%s\n' "$have" >&2
    echo "namespace job: could not list the search attributes of $namespace on $address (see above)" >&2
    exit 1
  fi
  n=$((n + 1))
  sleep 2
done
for pair in ${PEER_COMMS_SEARCH_ATTRIBUTES:-}; do
  name=${pair%%=*}
  type=${pair##*=}
  if printf '%s' "$have" | grep -q "\"$name\""; then
    echo "namespace job: search attribute $name is there"
  else
    temporal operator search-attribute create --address "$address" --namespace "$namespace" --name "$name" --type "$type"
    echo "namespace job: created search attribute $name ($type)"
  fi
done
echo "namespace job: done"
