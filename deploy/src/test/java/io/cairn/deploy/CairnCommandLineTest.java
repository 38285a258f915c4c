package io.cairn.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.cairn.testing.Ports;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Parsing, help texts, error messages and exit codes of the launcher (no role is started). */
class CairnCommandLineTest {
    @TempDir
    Path tmp;

    private record Run(int code, String out, String err) {}

    @Test
    void theLauncherTurnsNettysLeakDetectorOffUnlessTheCommandLineSetsIt() {
        String gateway = Cairn.LEAK_DETECTION_PROPERTIES.get(0);
        String grpc = Cairn.LEAK_DETECTION_PROPERTIES.get(1);
        String savedGateway = System.getProperty(gateway);
        String savedGrpc = System.getProperty(grpc);
        try {
            System.clearProperty(gateway);
            System.setProperty(grpc, "paranoid"); // as -D on the command line
            Cairn.productionDefaults();
            assertThat(System.getProperty(gateway)).isEqualTo("disabled");
            assertThat(System.getProperty(grpc)).isEqualTo("paranoid");
        } finally {
            restore(gateway, savedGateway);
            restore(grpc, savedGrpc);
        }
    }

    private static void restore(String key, String value) {
        if (value == null) {
            System.clearProperty(key);
        } else {
            System.setProperty(key, value);
        }
    }

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Cairn.execute(new PrintWriter(out), new PrintWriter(err), args);
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void helpListsEveryCommandAndTheExitCodes() {
        Run r = run("--help");
        assertThat(r.code()).isEqualTo(Cairn.EXIT_OK);
        assertThat(r.out()).contains("Usage: cairn", "dev", "store", "gateway", "meta", "admin", "version",
                "Exit codes:", "usage error");
        assertThat(r.err()).isEmpty();
    }

    @Test
    void helpOfASubcommandShowsItsOptionsAndDefaults() {
        Run r = run("help", "dev");
        assertThat(r.code()).isEqualTo(Cairn.EXIT_OK);
        assertThat(r.out()).contains("Usage: cairn dev", "--data=DIR", "(default: ./data)", "(default: 6379)",
                "(default: 127.0.0.1)", "--base-port=PORT", "7100)");
        assertThat(run("store", "--help").out()).contains("Usage: cairn store", "-c, --config=FILE",
                "docs/store-node.md");
    }

    @Test
    void versionSubcommandAndOptionPrintTheBuildVersion() {
        Run sub = run("version");
        Run opt = run("--version");
        assertThat(sub.code()).isEqualTo(Cairn.EXIT_OK);
        assertThat(opt.code()).isEqualTo(Cairn.EXIT_OK);
        assertThat(sub.out()).startsWith("cairn " + VersionInfo.version()).isEqualTo(opt.out());
        assertThat(VersionInfo.version()).isNotEqualTo("unknown").doesNotContain("${");
    }

    @Test
    void usageErrorsExitWith2AndSayWhatIsWrong() {
        Run none = run();
        assertThat(none.code()).isEqualTo(Cairn.EXIT_USAGE);
        assertThat(none.err()).contains("Missing required subcommand", "Usage: cairn");

        Run unknown = run("--bogus");
        assertThat(unknown.code()).isEqualTo(Cairn.EXIT_USAGE);
        assertThat(unknown.err()).contains("Unknown option: '--bogus'");

        Run noConfig = run("store");
        assertThat(noConfig.code()).isEqualTo(Cairn.EXIT_USAGE);
        assertThat(noConfig.err()).contains("Missing required option: '--config=FILE'");

        Run badPort = run("dev", "--port", "six");
        assertThat(badPort.code()).isEqualTo(Cairn.EXIT_USAGE);
        assertThat(badPort.err()).contains("Invalid value for option '--port'");

        Run unknownCommand = run("frobnicate");
        assertThat(unknownCommand.code()).isEqualTo(Cairn.EXIT_USAGE);
        assertThat(unknownCommand.err()).contains("Unmatched argument at index 0: 'frobnicate'");
    }

    @Test
    void aBadStoreConfigFailsWithExit1AndTheReason() throws Exception {
        Run missing = run("store", "--config", tmp.resolve("nope.properties").toString());
        assertThat(missing.code()).isEqualTo(Cairn.EXIT_FAILED);
        assertThat(missing.err()).contains("cairn store: cannot read store config").doesNotContain("\tat ");

        Path typo = Files.writeString(tmp.resolve("typo.properties"),
                "node.id=1\ndata.dir=" + tmp.resolve("d") + "\nraft.port=7101\nservice.port=7102\nraft.tik.ms=5\n");
        Run bad = run("store", "-c", typo.toString());
        assertThat(bad.code()).isEqualTo(Cairn.EXIT_FAILED);
        assertThat(bad.err()).contains("unknown config key 'raft.tik.ms'");
    }

    @Test
    void aBadMetaConfigFailsWithExit1AndTheReason() throws Exception {
        Path f = Files.writeString(tmp.resolve("meta.properties"), "node.id=0\n");
        Run r = run("meta", "--config", f.toString());
        assertThat(r.code()).isEqualTo(Cairn.EXIT_FAILED);
        assertThat(r.err()).startsWith("cairn meta: ").contains("node.id").doesNotContain("\tat ");
    }

    @Test
    void devRefusesAnImpossiblePort() {
        Run r = run("dev", "--data", tmp.toString(), "--port", "70000");
        assertThat(r.code()).isEqualTo(Cairn.EXIT_FAILED);
        assertThat(r.err()).contains("port: 70000 (expected: 0..65535)");
    }

    @Test
    void devOnATakenGatewayPortFailsWithExit1AndSaysSo() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Run r = run("dev", "--data", tmp.resolve("data").toString(), "--port", Integer.toString(taken.getLocalPort()),
                    "--base-port", Integer.toString(Ports.freePortBlock(DevCluster.PORTS)));
            assertThat(r.code()).isEqualTo(Cairn.EXIT_FAILED);
            assertThat(r.err()).startsWith("cairn dev: cannot listen: ").doesNotContain("\tat ");
        }
    }

    @Test
    void adminWithNoMetaReplicaAnsweringFailsWithExit1AndSaysSo() {
        String nobody = "127.0.0.1:" + Ports.freePort();
        Run r = run("admin", "--meta", nobody, "--timeout", "1", "status");
        assertThat(r.code()).isEqualTo(Cairn.EXIT_FAILED);
        assertThat(r.err()).startsWith("cairn admin status: meta service: Status got no answer within ")
                .contains(nobody).doesNotContain("\tat ");
        assertThat(r.out()).isEmpty();
    }

    @Test
    void aBadGatewayConfigFailsWithExit1AndTheReason() throws Exception {
        Run missing = run("gateway", "--config", tmp.resolve("nope.properties").toString());
        assertThat(missing.code()).isEqualTo(Cairn.EXIT_FAILED);
        assertThat(missing.err()).startsWith("cairn gateway: cannot read gateway config").doesNotContain("\tat ");

        Path noMeta = Files.writeString(tmp.resolve("g.properties"), "port=0\n");
        Run r = run("gateway", "-c", noMeta.toString());
        assertThat(r.code()).isEqualTo(Cairn.EXIT_FAILED);
        assertThat(r.err()).contains("meta.address is required").doesNotContain("\tat ");

        Path typo = Files.writeString(tmp.resolve("typo.properties"), "meta.address=127.0.0.1:1\nprot=6379\n");
        Run bad = run("gateway", "-c", typo.toString());
        assertThat(bad.code()).isEqualTo(Cairn.EXIT_FAILED);
        assertThat(bad.err()).contains("unknown config key 'prot'");
    }

    @Test
    void adminWithoutASubcommandIsAUsageError() {
        Run noSub = run("admin");
        assertThat(noSub.code()).isEqualTo(Cairn.EXIT_USAGE);
        assertThat(noSub.err()).contains("Missing required subcommand", "status", "query", "transfer-leader");
    }

    @Test
    void transferLeaderNeedsAGroupAndAStore() {
        Run missing = run("admin", "transfer-leader", "1");
        assertThat(missing.code()).isEqualTo(Cairn.EXIT_USAGE);
        assertThat(missing.err()).contains("Missing required parameter: 'STORE'");
        Run zero = run("admin", "transfer-leader", "0", "2");
        assertThat(zero.code()).isEqualTo(Cairn.EXIT_USAGE);
        assertThat(zero.err()).contains("GROUP 0, STORE 2 (expected: ids > 0)");
    }
}
