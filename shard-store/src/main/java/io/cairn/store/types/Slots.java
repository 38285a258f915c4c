package io.cairn.store.types;

/**
 * Key to slot, exactly as Redis Cluster: {@code CRC16-XMODEM(key) mod 16384}, hashing only the
 * part between the first '{' and the next '}' when that part is non-empty.
 */
public final class Slots {
    public static final int COUNT = 16384;

    private static final int[] TABLE = new int[256];

    static {
        for (int i = 0; i < 256; i++) {
            int crc = i << 8;
            for (int j = 0; j < 8; j++) {
                crc = (crc & 0x8000) != 0 ? (crc << 1) ^ 0x1021 : crc << 1;
            }
            TABLE[i] = crc & 0xFFFF;
        }
    }

    private Slots() {
    }

    public static int crc16(byte[] b, int from, int to) {
        int crc = 0;
        for (int i = from; i < to; i++) {
            crc = ((crc << 8) ^ TABLE[((crc >>> 8) ^ (b[i] & 0xFF)) & 0xFF]) & 0xFFFF;
        }
        return crc;
    }

    public static int slot(byte[] key) {
        int open = -1;
        for (int i = 0; i < key.length; i++) {
            if (key[i] == '{') {
                open = i;
                break;
            }
        }
        if (open >= 0) {
            for (int j = open + 1; j < key.length; j++) {
                if (key[j] == '}') {
                    if (j > open + 1) {
                        return crc16(key, open + 1, j) & (COUNT - 1);
                    }
                    break;
                }
            }
        }
        return crc16(key, 0, key.length) & (COUNT - 1);
    }
}
