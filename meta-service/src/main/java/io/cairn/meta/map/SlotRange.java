package io.cairn.meta.map;

import java.util.ArrayList;
import java.util.List;

/** An inclusive range of slots {@code first..last}, both in {@code 0..16383}. */
public record SlotRange(int first, int last) {
  public SlotRange {
    if (first < 0 || last >= ShardMap.SLOT_COUNT || first > last) {
      throw new MapException(
          "invalid slot range: " + first + "-" + last + " (expected: 0 <= first <= last <= "
              + (ShardMap.SLOT_COUNT - 1) + ")");
    }
  }

  public static SlotRange of(int slot) {
    return new SlotRange(slot, slot);
  }

  public int size() {
    return last - first + 1;
  }

  @Override
  public String toString() {
    return first == last ? Integer.toString(first) : first + "-" + last;
  }

  /** Renders ranges as the status table and {@code cairn admin move} show them: "0-5460,16000". */
  public static String render(List<SlotRange> ranges) {
    if (ranges.isEmpty()) {
      return "-";
    }
    StringBuilder sb = new StringBuilder();
    for (SlotRange r : ranges) {
      if (sb.length() > 0) {
        sb.append(',');
      }
      sb.append(r);
    }
    return sb.toString();
  }

  /** Parses the {@link #render} form ("0-4095,8000"); the inverse of render for non-empty lists. */
  public static List<SlotRange> parse(String text) {
    List<SlotRange> out = new ArrayList<>();
    for (String part : text.split(",")) {
      String p = part.strip();
      if (p.isEmpty()) {
        throw new MapException("invalid slot list: '" + text + "' (empty element)");
      }
      int dash = p.indexOf('-');
      try {
        if (dash < 0) {
          out.add(of(Integer.parseInt(p)));
        } else {
          out.add(new SlotRange(Integer.parseInt(p.substring(0, dash).strip()),
              Integer.parseInt(p.substring(dash + 1).strip())));
        }
      } catch (NumberFormatException e) {
        throw new MapException("invalid slot list: '" + text + "' (not a number: '" + p + "')");
      }
    }
    return out;
  }
}
