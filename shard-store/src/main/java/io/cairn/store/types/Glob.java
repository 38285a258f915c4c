package io.cairn.store.types;

/**
 * Glob matching exactly as Redis's {@code stringmatchlen} (KEYS, SCAN MATCH, HSCAN ...): '*',
 * '?', '[abc]', '[^a]', '[a-z]', '\' escapes; bytes compare as signed chars like Redis's C code.
 * Recursion for '*' is bounded as in Redis, and a failed '*' run stops longer matches early.
 */
public final class Glob {
    private static final int MAX_NESTING = 1000;

    private Glob() {
    }

    public static boolean match(byte[] pattern, byte[] s) {
        return match(pattern, 0, s, 0, new boolean[1], 0);
    }

    private static boolean match(byte[] p, int pi, byte[] s, int si, boolean[] skipLonger, int nesting) {
        if (nesting > MAX_NESTING) {
            return false;
        }
        int plen = p.length - pi;
        int slen = s.length - si;
        while (plen > 0 && slen > 0) {
            switch (p[pi]) {
                case '*':
                    while (plen > 1 && p[pi + 1] == '*') {
                        pi++;
                        plen--;
                    }
                    if (plen == 1) {
                        return true;
                    }
                    while (slen > 0) {
                        if (match(p, pi + 1, s, si, skipLonger, nesting + 1)) {
                            return true;
                        }
                        if (skipLonger[0]) {
                            return false;
                        }
                        si++;
                        slen--;
                    }
                    skipLonger[0] = true;
                    return false;
                case '?':
                    si++;
                    slen--;
                    break;
                case '[': {
                    pi++;
                    plen--;
                    boolean not = plen > 0 && p[pi] == '^';
                    if (not) {
                        pi++;
                        plen--;
                    }
                    boolean matched = false;
                    while (true) {
                        if (plen >= 2 && p[pi] == '\\') {
                            pi++;
                            plen--;
                            if (p[pi] == s[si]) {
                                matched = true;
                            }
                        } else if (plen == 0) {
                            pi--;
                            plen++;
                            break;
                        } else if (p[pi] == ']') {
                            break;
                        } else if (plen >= 3 && p[pi + 1] == '-') {
                            int start = p[pi];
                            int end = p[pi + 2];
                            int c = s[si];
                            if (start > end) {
                                int t = start;
                                start = end;
                                end = t;
                            }
                            pi += 2;
                            plen -= 2;
                            if (c >= start && c <= end) {
                                matched = true;
                            }
                        } else if (p[pi] == s[si]) {
                            matched = true;
                        }
                        pi++;
                        plen--;
                    }
                    if (not) {
                        matched = !matched;
                    }
                    if (!matched) {
                        return false;
                    }
                    si++;
                    slen--;
                    break;
                }
                case '\\':
                    if (plen >= 2) {
                        pi++;
                        plen--;
                    }
                    if (p[pi] != s[si]) {
                        return false;
                    }
                    si++;
                    slen--;
                    break;
                default:
                    if (p[pi] != s[si]) {
                        return false;
                    }
                    si++;
                    slen--;
                    break;
            }
            pi++;
            plen--;
            if (slen == 0) {
                while (plen > 0 && p[pi] == '*') {
                    pi++;
                    plen--;
                }
                break;
            }
        }
        return plen == 0 && slen == 0;
    }
}
