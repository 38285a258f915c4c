package io.cairn.deploy.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.cairn.store.types.Slots;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Key sets for the end-to-end tests that provably spread over many slots and every group. */
final class E2eKeys {
    private E2eKeys() {
    }

    /**
     * {@code prefix0 .. prefix(n-1)}; asserts they live in every group of the cluster and in at
     * least {@code min(n, 8)} distinct slots, so a test using them really crosses groups.
     */
    static List<String> spread(E2eCluster cluster, String prefix, int n) {
        List<String> keys = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            keys.add(prefix + i);
        }
        assertSpread(cluster, keys);
        return keys;
    }

    static void assertSpread(E2eCluster cluster, List<String> keys) {
        Set<Long> groups = new HashSet<>();
        Set<Integer> slots = new HashSet<>();
        for (String k : keys) {
            groups.add(cluster.groupOf(k));
            slots.add(Slots.slot(k.getBytes(StandardCharsets.UTF_8)));
        }
        assertThat(groups).as("groups of %s...", keys.get(0)).containsExactlyInAnyOrderElementsOf(cluster.groups());
        assertThat(slots.size()).as("distinct slots").isGreaterThanOrEqualTo(Math.min(keys.size(), 8));
    }

    /** One key per group, each {@code prefix + something}, in group order. */
    static List<String> onePerGroup(E2eCluster cluster, String prefix) {
        List<String> keys = new ArrayList<>();
        for (long g : cluster.groups()) {
            for (int i = 0; ; i++) {
                String k = prefix + i;
                if (cluster.groupOf(k) == g) {
                    keys.add(k);
                    break;
                }
            }
        }
        return keys;
    }
}
