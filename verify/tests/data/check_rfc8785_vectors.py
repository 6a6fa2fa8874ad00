#!/usr/bin/env python3
"""Independent cross-check of the files in rfc8785/.

For every <name>.input.json, parses it, canonicalises it with a from-scratch
RFC 8785 implementation (UTF-16 code-unit key order, ECMAScript number
serialisation via shortest round-trip digits, RFC 8785 3.2.2.2 string escaping)
and compares byte-for-byte with <name>.output.json. Also checks every entry of
numbers.json. Exits non-zero on any mismatch.

Usage: python3 check_rfc8785_vectors.py [path/to/rfc8785]
"""
import json, struct, sys, os, glob
def es6num(x):
    if x != x or x in (float('inf'), float('-inf')): raise ValueError("non-finite")
    if x == 0: return "0"
    if x < 0: return "-" + es6num(-x)
    r = repr(x)  # shortest round-trip
    mant, _, exp = r.partition('e')
    e = int(exp) if exp else 0
    if '.' in mant:
        ip, fp = mant.split('.')
    else:
        ip, fp = mant, ''
    digits = (ip + fp).lstrip('0')
    # decimal exponent n such that value = 0.digits * 10^n
    lead_zeros = len(ip + fp) - len((ip + fp).lstrip('0'))
    n = len(ip) + e - lead_zeros
    digits = digits.rstrip('0')
    k = len(digits)
    if k <= n <= 21: return digits + '0' * (n - k)
    if 0 < n <= 21: return digits[:n] + '.' + digits[n:]
    if -6 < n <= 0: return '0.' + '0' * (-n) + digits
    ee = n - 1
    s = ('+' if ee >= 0 else '-') + str(abs(ee))
    return digits + 'e' + s if k == 1 else digits[0] + '.' + digits[1:] + 'e' + s
def es(s):
    o = ['"']
    for ch in s:
        c = ord(ch)
        if ch == '"': o.append('\\"')
        elif ch == '\\': o.append('\\\\')
        elif c < 0x20:
            o.append({8:'\\b',9:'\\t',10:'\\n',12:'\\f',13:'\\r'}.get(c, '\\u%04x' % c))
        else: o.append(ch)
    o.append('"'); return ''.join(o)
def canon(v):
    if v is None: return 'null'
    if v is True: return 'true'
    if v is False: return 'false'
    if isinstance(v, (int, float)): return es6num(float(v))
    if isinstance(v, str): return es(v)
    if isinstance(v, list): return '[' + ','.join(canon(x) for x in v) + ']'
    keys = sorted(v.keys(), key=lambda k: k.encode('utf-16-be'))
    return '{' + ','.join(es(k) + ':' + canon(v[k]) for k in keys) + '}'
d = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "rfc8785"); bad = 0
for inp in sorted(glob.glob(os.path.join(d, '*.input.json'))):
    outp = inp.replace('.input.json', '.output.json')
    got = canon(json.loads(open(inp, 'rb').read().decode('utf-8'))).encode('utf-8')
    want = open(outp, 'rb').read()
    ok = got == want; bad += not ok
    print(os.path.basename(inp), 'OK' if ok else 'MISMATCH %r vs %r' % (got, want))
for t in json.load(open(os.path.join(d, 'numbers.json'))):
    x = struct.unpack('>d', bytes.fromhex(t['ieee_hex']))[0]
    g = es6num(x); ok = g == t['expected']; bad += not ok
    if not ok: print('NUM MISMATCH', t, g)
print('numbers checked:', len(json.load(open(os.path.join(d, 'numbers.json')))), 'bad total:', bad)
sys.exit(1 if bad else 0)
