#!/usr/bin/env bash
# Installs dependencies, builds the release preset and runs `deconflict serve` on
# 127.0.0.1:8080 with a fresh store in a temporary directory and a demo data set, plus a
# `deconflict watch` for NORTH whose lines (prefixed "[watch NORTH]") show the demo's events,
# and live traffic: two `deconflict sim feed`s (NORTH's and SOUTH's aircraft, the same seed, so
# that pairs of the two parties are set to meet 1 to 4 minutes in). NORTH's watch shows each
# encounter open, SOUTH's duty officer (this script, lines "[SOUTH]") acknowledge it, and the
# encounter close once the aircraft have passed. The hotline: an "Amman-Hmeimim" channel
# (US-AMMAN, RU-HMEIMIM) escalating to "Moscow-Washington" (US-WASHINGTON, RU-MOSCOW), flash
# deadline 8 s; one message acknowledged with RU-HMEIMIM's signature, one left unacknowledged, so
# that within seconds RU-MOSCOW's watch (lines "[watch RU-MOSCOW]") shows the escalation arrive.
# Humanitarian notifications: an ICRC-like agency (ICRC) notifies NORTH and SOUTH of a field
# hospital inside NORTH's patrol orbit, a camp in NORTH's transit corridor and a convoy from Homs
# to Palmyra (lines "[humanitarian]"); SOUTH acknowledges the hospital with a signature, NORTH
# stays silent, so that after 60 s its watch shows `humanitarian.overdue` and the agency's desk
# channel (ICRC, UNMO) gets the escalation. SOUTH's operation over the hospital is refused until
# its key carries the hospital's version.
# Agreements: a host (HOST) with a territory agreed by HOST, NORTH and SOUTH, and an area of
# responsibility each for NORTH (Palmyra) and SOUTH (Homs) (lines "[agreements]"); HOST's view
# of the operations inside its territory, as overlaps only.
# Monitoring (lines "[case]"): an observer (MONITOR) reports an air strike at the field hospital;
# the automatic case opens, naming SOUTH's signed receipt, NORTH's silence and the operations
# over the hospital at that moment; its ledger entries are exported as one bundle and verified.
# Ctrl-C stops everything.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
cmake --preset release
cmake --build --preset release --target deconflict
bin=./build/release/src/cli/deconflict
listen=${DECONFLICT_DEMO_LISTEN:-127.0.0.1:8080}
data=$(mktemp -d /tmp/deconflict-demo.XXXXXX)
echo "demo store: $data"

# The server prints the banner (tokens included) on stdout; keep a copy to find NORTH's token.
"$bin" serve --data "$data" --listen "$listen" --demo --site-ack-deadline-s 60 \
  --movement-ack-deadline-s 60 > >(tee "$data/banner.txt") &
server=$!
children=()
stop() {
  trap - EXIT INT TERM
  ((${#children[@]})) && kill "${children[@]}" 2>/dev/null
  kill "$server" 2>/dev/null
  wait 2>/dev/null
}
trap stop EXIT INT TERM

token_of() { sed -n "s/^ *$1 *([^)]*) token: \(.*\)\$/\1/p" "$data/banner.txt" 2>/dev/null || true; }
north= south=
for _ in $(seq 100); do
  north=$(token_of NORTH) south=$(token_of SOUTH)
  [[ -n $north && -n $south ]] && break
  kill -0 "$server" 2>/dev/null || { wait "$server"; exit $?; }
  sleep 0.1
done
url="http://$listen"
if [[ -n $north && -n $south ]]; then
  "$bin" watch --url "$url" --token "$north" --after 0 > >(sed -u 's/^/[watch NORTH] /') 2>&1 &
  children+=($!)
  # 8 aircraft each, 4 pairs of NORTH and SOUTH set to meet; reports every second until Ctrl-C.
  for party in 1 2; do
    [[ $party == 1 ]] && t=$north || t=$south
    "$bin" sim feed --url "$url" --token "$t" --n 16 --parties 2 --party "$party" \
      --meeting-pairs 4 --seed 7 --duration 0 > /dev/null 2>&1 &
    children+=($!)
  done
  # SOUTH's duty officer acknowledges every encounter it is alerted to, after 3 s.
  "$bin" watch --url "$url" --token "$south" --after 0 2> /dev/null | while read -r line; do
    id=$(sed -n 's/.*"type":"encounter.opened".*"encounter":\([0-9]*\),.*/\1/p' <<<"$line")
    [[ -n $id ]] || continue
    sleep 3
    curl -s -o /dev/null -X POST -H "Authorization: Bearer $south" "$url/v1/encounters/$id/ack" &&
      echo "[SOUTH] acknowledged encounter $id"
  done &
  children+=($!)
fi

# The hotline (README "Hotline"): parties added while the server runs, tokens kept in $data.
hl() { "$bin" hotline "$@" --url "$url"; }
for p in US-AMMAN RU-HMEIMIM US-WASHINGTON RU-MOSCOW; do
  "$bin" party add --data "$data" --id "$p" --name "$p" --role operator 2> /dev/null |
    sed -n 's/^token: //p' > "$data/$p.token"
done
tok() { cat "$data/$1.token"; }
hl channel create --token "$(tok US-WASHINGTON)" --id moscow-washington --name Moscow-Washington \
  --member US-WASHINGTON --member RU-MOSCOW
hl channel create --token "$(tok US-AMMAN)" --id amman-hmeimim --name Amman-Hmeimim \
  --member US-AMMAN --member RU-HMEIMIM --escalation moscow-washington --deadline flash=PT8S
"$bin" watch --url "$url" --token "$(tok RU-MOSCOW)" --after 0 2> /dev/null |
  sed -u 's/^/[watch RU-MOSCOW] /' &
children+=($!)
"$bin" keys generate --out "$data/ru-hmeimim.key" > /dev/null 2>&1
"$bin" keys register --url "$url" --token "$(tok RU-HMEIMIM)" --key "$data/ru-hmeimim.key"
hl send --token "$(tok US-AMMAN)" --channel amman-hmeimim --priority flash \
  --subject "Strike package north of Palmyra" --text "Two F-15E at FL250 from 0700Z, 20 min"
hl ack --token "$(tok RU-HMEIMIM)" --channel amman-hmeimim --message 1 \
  --sign-key "$data/ru-hmeimim.key"
hl send --token "$(tok US-AMMAN)" --channel amman-hmeimim --priority flash \
  --subject "Tanker orbit moved east" --text "KC-135 now 30 km east of T4, FL260"
echo "[hotline] amman-hmeimim/2 is left unacknowledged: overdue in 8 s, escalated to moscow-washington"

# Humanitarian notifications (README "Humanitarian notifications").
for p in ICRC:HUMANITARIAN:humanitarian; do
  IFS=: read -r id name role <<<"$p"
  "$bin" party add --data "$data" --id "$id" --name "$name" --role "$role" 2> /dev/null |
    sed -n 's/^token: //p' > "$data/$id.token"
done
hl channel create --token "$(tok ICRC)" --id icrc-desk --name "ICRC desk" --member ICRC \
  --member UNMO > /dev/null
at() { date -u -d "$1" +%Y-%m-%dT%H:%M:%SZ; }
put() {  # put TARGET BODY: PUT as ICRC, print the answer's ovn
  curl -s -X PUT -H "Authorization: Bearer $(tok ICRC)" -H "Content-Type: application/json" \
    "$url$1" -d "$2" | sed -n 's/.*"ovn":"\([^"]*\)".*/\1/p'
}
hospital_ovn=$(put /v1/sites/field-hospital-1 '{"kind": "hospital", "name": "Field hospital 1",
  "location": {"type": "Point", "coordinates": [38.62, 35.22]}, "buffer_m": 500,
  "valid_from": "'"$(at "-1 hour")"'", "valid_to": "'"$(at "+30 days")"'",
  "recipients": ["NORTH", "SOUTH"], "escalation_channel": "icrc-desk"}')
put /v1/sites/camp-2 '{"kind": "camp", "name": "Camp 2", "buffer_m": 200,
  "location": {"type": "Polygon", "coordinates": [[[36.60, 34.10], [36.66, 34.10],
    [36.66, 34.15], [36.60, 34.15], [36.60, 34.10]]]},
  "valid_from": "'"$(at "-1 hour")"'", "valid_to": "'"$(at "+30 days")"'",
  "recipients": ["NORTH", "SOUTH"]}' > /dev/null
put /v1/movements/convoy-homs-palmyra '{"name": "Homs - Palmyra", "vehicles": 14,
  "route": {"type": "LineString", "coordinates": [[36.71, 34.73], [37.60, 34.62],
    [38.27, 34.56]]}, "time_start": "'"$(at "+1 hour")"'", "time_end": "'"$(at "+5 hours")"'",
  "recipients": ["NORTH", "SOUTH"], "escalation_channel": "icrc-desk"}' > /dev/null
echo "[humanitarian] ICRC notified NORTH and SOUTH: field-hospital-1, camp-2, convoy-homs-palmyra"
# SOUTH signs its receipt of the hospital with a registered key; NORTH does not answer.
"$bin" keys generate --out "$data/south.key" > /dev/null 2>&1
"$bin" keys register --url "$url" --token "$south" --key "$data/south.key" > /dev/null
statement=$(curl -s -H "Authorization: Bearer $south" "$url/v1/sites/field-hospital-1")
digest=$(sed -n 's/.*"object_digest":"\([^"]*\)".*/\1/p' <<<"$statement")
object=$(sed -n 's/.*"object_id":"\([^"]*\)".*/\1/p' <<<"$statement")
now=$(at now)
sig=$("$bin" ack sign --key "$data/south.key" --kind humanitarian.site --object "$object" \
  --digest "$digest" --party SOUTH --time "$now")
curl -s -o /dev/null -w "[humanitarian] SOUTH acknowledged field-hospital-1 (signed): %{http_code}\n" \
  -X POST -H "Authorization: Bearer $south" -H "Content-Type: application/json" \
  "$url/v1/sites/field-hospital-1/ack" -d '{"signature": "'"$sig"'", "signed_at": "'"$now"'"}'
# SOUTH flies a low pass over the hospital, under way now (the case below names it): refused
# without the hospital's version, then filed.
op='{"extents": [{"volume": {"outline_circle": {"center": {"lat": 35.22, "lng": 38.62},
  "radius": {"value": 2000, "units": "M"}},
  "altitude_lower": {"value": 0, "reference": "W84", "units": "M"},
  "altitude_upper": {"value": 1000, "reference": "W84", "units": "M"}},
  "time_start": {"value": "'"$(at "-5 minutes")"'", "format": "RFC3339"},
  "time_end": {"value": "'"$(at "+5 hours")"'", "format": "RFC3339"}}], "state": "Accepted",
  "key": '
for key in '[]' '["'"$hospital_ovn"'"]'; do
  answer=$(curl -s -w ' HTTP %{http_code}' -X PUT -H "Authorization: Bearer $south" \
    -H "Content-Type: application/json" \
    "$url/v1/operations/7a1e0c55-0d8e-4b1f-9a64-2f3c5d7e9b10" -d "$op$key}")
  echo "[humanitarian] SOUTH files a low pass over the hospital, key $key:${answer##*\}}" \
    "$(sed -n 's/.*"message":"\([^"]*\)".*/\1/p' <<<"$answer")"
done
echo "[humanitarian] NORTH has not acknowledged: overdue in 60 s, escalated to icrc-desk"

# Agreements (README "Agreements"): HOST's territory, approved by HOST, NORTH and SOUTH, and one
# area of responsibility each for NORTH (Palmyra) and SOUTH (Homs), approved by both.
"$bin" party add --data "$data" --id HOST --name "Host government" --role host 2> /dev/null |
  sed -n 's/^token: //p' > "$data/HOST.token"
echo "$north" > "$data/NORTH.token"
token_of UNMO > "$data/UNMO.token"
echo "$south" > "$data/SOUTH.token"
agree() {  # agree ID PROPOSER BODY APPROVER...: propose, then every approver approves
  local id=$1 by=$2 body=$3
  shift 3
  curl -s -o /dev/null -X PUT -H "Authorization: Bearer $(tok "$by")" \
    -H "Content-Type: application/json" "$url/v1/proposals/$id" -d "$body"
  local answer
  for p in "$by" "$@"; do
    answer=$(curl -s -X POST -H "Authorization: Bearer $(tok "$p")" \
      -H "Content-Type: application/json" "$url/v1/proposals/$id/decision" \
      -d '{"decision": "approve"}')
  done
  echo "[agreements] $id: $(sed -n 's/.*"state":"\([a-z]*\)".*/\1/p' <<<"$answer" | head -1)"
}
agree host-territory NORTH '{"kind": "territory", "content": {"party": "HOST", "area":
  {"type": "Polygon", "coordinates": [[[35.7, 33.0], [42.0, 33.0], [42.0, 37.3], [35.7, 37.3],
  [35.7, 33.0]]]}}, "approvers": ["HOST", "SOUTH"], "expires_at": "'"$(at "+1 hour")"'"}' \
  SOUTH HOST
aor() {  # aor ID HOLDER OTHER WEST SOUTH EAST NORTH
  agree "$1" "$2" '{"kind": "area_of_responsibility", "content": {"party": "'"$2"'", "area":
    {"type": "Polygon", "coordinates": [['"[$4, $5], [$6, $5], [$6, $7], [$4, $7], [$4, $5]"']]},
    "altitude_lower_m": 0, "altitude_upper_m": 15000, "time_start": "'"$(at now)"'",
    "time_end": "'"$(at "+30 days")"'"}, "approvers": ["'"$3"'"],
    "expires_at": "'"$(at "+1 hour")"'"}' "$3"
}
aor aor-palmyra NORTH SOUTH 37.9 34.3 38.6 34.8
aor aor-homs SOUTH NORTH 36.5 34.6 36.9 34.9
echo "[agreements] HOST now hears of every operation filed inside its territory (overlap only)"
in_territory=$(curl -s -H "Authorization: Bearer $(tok HOST)" "$url/v1/territory/operations" |
  grep -o '"party":"[A-Za-z0-9_-]*"' | sed 's/.*:"\(.*\)"/\1/' | sort | uniq -c |
  awk '{printf "%s%s x%s", sep, $2, $1; sep=", "}' || true)
echo "[agreements] HOST's view (GET /v1/territory/operations, overlaps only): ${in_territory:-none}"

# Monitoring (README "Ceasefire monitoring", "The automatic case"): a strike on the notified
# field hospital opens a case by itself.
"$bin" party add --data "$data" --id MONITOR --name "Monitoring mission" --role observer \
  2> /dev/null | sed -n 's/^token: //p' > "$data/MONITOR.token"
# A strike is a case only if it came after the notification was filed: `at now` is whole seconds.
sleep 1
curl -s -o /dev/null -w "[case] MONITOR reports an air strike at field-hospital-1: %{http_code}\n" \
  -X PUT -H "Authorization: Bearer $(tok MONITOR)" -H "Content-Type: application/json" \
  "$url/v1/incidents/demo-strike-1" -d '{"occurred_at": "'"$(at now)"'",
  "location": {"lat": 35.2205, "lng": 38.6201}, "event_type": "Explosions/Remote violence",
  "sub_event_type": "Air/drone strike", "fatalities": {"best": 2}, "notes": "Demo strike."}'
case_json=$(curl -s -H "Authorization: Bearer $(tok UNMO)" "$url/v1/cases/demo-strike-1")
echo "[case] demo-strike-1 opened; recipients (party, acknowledged_at):" \
  "$(grep -o '"party":"[A-Z]*","delivered_at":[^,]*,"delivered_ledger_index":[^,]*,"acknowledged_at":[^,]*' <<<"$case_json" |
    sed 's/"party":"\([A-Z]*\)".*"acknowledged_at":\(.*\)/\1 \2/' | tr '\n' ';' || true)"
ops=$(grep -o '"operations":\[.*\],"tracks"' <<<"$case_json" | grep -o '"party":"[A-Z]*"' |
  sed 's/"party":"\(.*\)"/\1/' | sort -u | tr '\n' ' ' || true)
echo "[case] operations over the place at that moment: ${ops:-none}"
"$bin" case export --url "$url" --token "$(tok UNMO)" --id demo-strike-1 \
  --out "$data/demo-strike-1.bundle" > /dev/null &&
  "$bin" ledger verify --bundle "$data/demo-strike-1.bundle" \
    --key "$("$bin" ledger key --data "$data")" | head -1 | sed 's/^/[case] /'
wait "$server"
