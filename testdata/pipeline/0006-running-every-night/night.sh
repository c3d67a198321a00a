#!/bin/sh
# night.sh [NOW]: tonight's run, from cron; a second run waits for the
# first, and a rerun of the same night pays and sends nothing twice.
set -eu
now=${1:-$(date -u +%Y-%m-%dT%H:%M:%SZ)}
day=$(echo "$now" | cut -c1-10)
exec 9>>state/night.lock
flock 9
pxr-join -f exports/customers.csv --on customer_id --left \
    < exports/deliveries.csv \
    | pxr-detect -r plays.json --now "$now" \
    | pxr-threshold -r plays.json --window-store state/windows.csv \
    | pxr-compensate -r plays.json --ledger state/ledger.csv --now "$now" \
    | pxr-notify -r plays.json --sent-log state/sent.csv --now "$now" \
        --complaints exports/complaints.csv \
    | pxr-send -r plays.json --sent-log state/sent.csv \
        --outbox state/outbox.csv --now "$now" \
        --sendmail 'mailcat -i --' --sms-command 'smsgw {to} {message_id}' \
    > "log/sent-$day.csv" 2>> log/night.log || [ $? -eq 1 ]
