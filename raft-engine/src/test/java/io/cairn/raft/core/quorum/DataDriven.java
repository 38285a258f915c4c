package io.cairn.raft.core.quorum;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A minimal reader for the cockroachdb/datadriven format used by etcd's golden test files:
 *
 * <pre>
 * # comment
 * command key=value key=(a, b) flag
 * input line(s)
 * ----
 * expected output line(s)
 * (blank line)
 * </pre>
 */
public final class DataDriven {

    /** One test case. {@code args} maps each key to its values (a parenthesised list is split on commas). */
    public record Case(String file, int line, String directive, String cmd, Map<String, List<String>> args,
                       String input, String expected) {

        public boolean has(String key) {
            return args.containsKey(key);
        }

        public List<String> vals(String key) {
            return args.getOrDefault(key, List.of());
        }

        @Override
        public String toString() {
            return file + ":" + line + " " + directive + (input.isEmpty() ? "" : " [" + input + "]");
        }
    }

    private DataDriven() {
    }

    public static List<Case> parse(String file, String text) {
        String[] lines = text.split("\n", -1);
        List<Case> cases = new ArrayList<>();
        int i = 0;
        while (i < lines.length) {
            String l = lines[i].strip();
            if (l.isEmpty() || l.startsWith("#")) {
                i++;
                continue;
            }
            int at = i + 1;
            String directive = l;
            i++;
            List<String> input = new ArrayList<>();
            while (i < lines.length && !lines[i].equals("----")) {
                input.add(lines[i].strip());
                i++;
            }
            if (i >= lines.length) {
                throw new IllegalArgumentException(file + ":" + at + ": missing ----");
            }
            i++;
            List<String> out = new ArrayList<>();
            while (i < lines.length && !lines[i].isBlank()) {
                out.add(lines[i]);
                i++;
            }
            String[] cmdAndArgs = splitDirective(directive);
            cases.add(new Case(file, at, directive, cmdAndArgs[0], parseArgs(cmdAndArgs[1]),
                    String.join("\n", input).strip(), String.join("\n", out)));
        }
        return cases;
    }

    private static String[] splitDirective(String d) {
        int sp = d.indexOf(' ');
        return sp < 0 ? new String[] {d, ""} : new String[] {d.substring(0, sp), d.substring(sp + 1)};
    }

    private static Map<String, List<String>> parseArgs(String s) {
        Map<String, List<String>> args = new LinkedHashMap<>();
        int i = 0;
        while (i < s.length()) {
            if (s.charAt(i) == ' ') {
                i++;
                continue;
            }
            int keyStart = i;
            while (i < s.length() && s.charAt(i) != '=' && s.charAt(i) != ' ') {
                i++;
            }
            String key = s.substring(keyStart, i);
            if (i >= s.length() || s.charAt(i) == ' ') {
                args.put(key, List.of());
                continue;
            }
            i++; // '='
            List<String> vals = new ArrayList<>();
            if (i < s.length() && s.charAt(i) == '(') {
                int close = s.indexOf(')', i);
                for (String v : s.substring(i + 1, close).split(",")) {
                    if (!v.isBlank()) {
                        vals.add(v.strip());
                    }
                }
                i = close + 1;
            } else {
                int start = i;
                while (i < s.length() && s.charAt(i) != ' ') {
                    i++;
                }
                vals.add(s.substring(start, i));
            }
            args.put(key, vals);
        }
        return args;
    }
}
