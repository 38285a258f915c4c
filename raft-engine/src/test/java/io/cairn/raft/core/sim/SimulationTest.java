package io.cairn.raft.core.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Runs the deterministic simulator over many seeds. {@code -Dcairn.sim.seeds=N} sets how many
 * (default 500; the {@code sim-soak} Maven profile runs 10,000), {@code -Dcairn.sim.base=B} the first
 * seed, and {@code -Dcairn.sim.seed=S} replays exactly one seed with a full trace.
 */
class SimulationTest {

    @Test
    @DisplayName("Raft §5.2-§5.4, §6, thesis §4.3/§6.4: safety and liveness hold under random faults for every seed")
    void simulateSeeds() {
        String one = System.getProperty("cairn.sim.seed", "");
        if (!one.isBlank()) {
            Simulation.Result r = runSeed(Long.parseLong(one.trim()), true);
            System.out.println("seed " + one + ": " + r);
            return;
        }
        int seeds = Integer.parseInt(System.getProperty("cairn.sim.seeds", "500").trim().isEmpty() ? "500"
                : System.getProperty("cairn.sim.seeds", "500").trim());
        long base = Long.getLong("cairn.sim.base", 1L);
        long started = System.nanoTime();
        long committed = 0;
        long reads = 0;
        long snapshots = 0;
        long maxLiveness = 0;
        long crashesDuringWrite = 0;
        for (long s = base; s < base + seeds; s++) {
            Simulation.Result r = runSeed(s, false);
            committed += r.committed();
            reads += r.readsChecked();
            snapshots += r.snapshotsInstalled();
            maxLiveness = Math.max(maxLiveness, r.livenessMs());
            crashesDuringWrite += r.crashesDuringWrite();
        }
        long ms = (System.nanoTime() - started) / 1_000_000;
        System.out.printf("simulated %d seeds (%d..%d) in %d ms: %d entries committed, %d reads checked, "
                + "%d snapshots installed, %d crashes while a leader's write was in flight, slowest recovery %d"
                + " simulated ms, no violation%n",
                seeds, base, base + seeds - 1, ms, committed, reads, snapshots, crashesDuringWrite, maxLiveness);
        assertThat(committed).as("the simulations committed entries").isGreaterThan(seeds);
        assertThat(reads).as("the simulations checked reads").isGreaterThan(0);
        assertThat(crashesDuringWrite).as("the simulations crashed nodes with appends sent but not persisted")
                .isGreaterThan(0);
    }

    private static Simulation.Result runSeed(long seed, boolean tracing) {
        Simulation sim = new Simulation(seed, tracing);
        try {
            return sim.run();
        } catch (AssertionError | RuntimeException e) {
            // Replay the same seed with a full trace to show what led to the failure.
            Simulation traced = new Simulation(seed, true);
            try {
                traced.run();
            } catch (AssertionError | RuntimeException again) {
                // expected: the same failure
            }
            List<String> lines = traced.trace().lines();
            StringBuilder sb = new StringBuilder();
            sb.append("simulation failed: ").append(e).append('\n').append(sim.describe()).append('\n')
                    .append("replay: mvn -pl raft-engine test -Djacoco.skip=true -Dtest=SimulationTest -Dcairn.sim.seed=")
                    .append(seed).append('\n').append("last events:\n");
            for (String l : lines.subList(Math.max(0, lines.size() - Integer.getInteger("cairn.sim.printlines", 150)), lines.size())) {
                sb.append("  ").append(l).append('\n');
            }
            throw new AssertionError(sb.toString(), e);
        }
    }
}
