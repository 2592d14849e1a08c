# Shared by the end-to-end scripts: free ports and pass/fail bookkeeping. Source it, then call
# `check`, `contains` and `lacks`, and end with `report NAME`.
passed=0
failed=0

# A TCP port on 127.0.0.1 that nothing listens on.
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

check() { # check NAME EXPECTED ACTUAL
  if [ "$2" = "$3" ]; then passed=$((passed + 1)); echo "ok   $1"; else failed=$((failed + 1)); echo "FAIL $1: expected '$2', got '$3'"; fi
}

contains() { # contains NAME NEEDLE HAYSTACK
  if [[ "$3" == *"$2"* ]]; then passed=$((passed + 1)); echo "ok   $1"; else failed=$((failed + 1)); echo "FAIL $1: no '$2' in: ${3:0:400}"; fi
}

lacks() { # lacks NAME NEEDLE HAYSTACK
  if [[ "$3" != *"$2"* ]]; then passed=$((passed + 1)); echo "ok   $1"; else failed=$((failed + 1)); echo "FAIL $1: '$2' found"; fi
}

report() { # report NAME: prints the tally; fails the script if anything failed
  echo
  echo "$1: $passed passed, $failed failed"
  [ "$failed" -eq 0 ]
}
