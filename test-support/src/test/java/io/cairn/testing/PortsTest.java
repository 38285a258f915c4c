package io.cairn.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PortsTest {

    @Test
    void portsComeFromBelowTheEphemeralRangeAndAreNeverHandedOutTwice() throws IOException {
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < 200; i++) {
            int p = Ports.freePort();
            assertThat(p).isBetween(Ports.LOW, 32_767);
            assertThat(seen.add(p)).as("port %d handed out twice", p).isTrue();
        }
        int base = Ports.freePortBlock(8);
        for (int p = base; p < base + 8; p++) {
            assertThat(seen.add(p)).as("port %d handed out twice", p).isTrue();
            try (ServerSocket s = new ServerSocket()) {
                s.bind(new InetSocketAddress("127.0.0.1", p)); // free: the server of a test can bind it
            }
        }
        assertThat(base + 7).isLessThan(32_768);
    }

    @Test
    void aPortInUseIsNotHandedOut() throws IOException {
        // a port of the range that another program listens on (not one handed out here, also
        // not by the other tests of this class)
        ServerSocket other = null;
        for (int p = Ports.LOW + Ports.RANGE - 1; other == null; p--) {
            if (!Ports.handedOut(p) && !Ports.handedOut(p - 1) && !Ports.handedOut(p - 2)) {
                other = listenOn(p);
            }
        }
        int held = other.getLocalPort();
        try {
            assertThat(Ports.reserve(held, 1)).isFalse();
            assertThat(Ports.reserve(held - 2, 3)).as("a block covering it").isFalse();
        } finally {
            other.close();
        }
        assertThat(Ports.reserve(held, 1)).as("free again").isTrue();
        assertThat(Ports.reserve(held, 1)).as("handed out now").isFalse();
    }

    private static ServerSocket listenOn(int port) throws IOException {
        ServerSocket s = new ServerSocket();
        try {
            s.bind(new InetSocketAddress("127.0.0.1", port));
            return s;
        } catch (IOException e) {
            s.close();
            return null;
        }
    }

    @Test
    void blockSizeIsChecked() {
        assertThatThrownBy(() -> Ports.freePortBlock(0)).isInstanceOf(IllegalArgumentException.class);
    }
}
