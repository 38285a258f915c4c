package io.cairn.deploy;

import io.cairn.meta.client.MetaUnavailableException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The {@code cairn} launcher: one jar, one subcommand per role. docs/deploy.md describes every
 * subcommand and its config file.
 *
 * <p>Exit codes: {@value #EXIT_OK} done (a role process: stopped by SIGTERM/Ctrl-C and closed
 * cleanly), {@value #EXIT_FAILED} failed (bad config file, could not start, ...),
 * {@value #EXIT_USAGE} usage error (unknown option, missing argument).
 */
@Command(name = "cairn",
        mixinStandardHelpOptions = true,
        versionProvider = VersionInfo.class,
        header = "Cairn: a Redis-protocol compatible, Raft-replicated, sharded cache.",
        description = {
            "",
            "Try it in one command with 'cairn dev', then 'redis-cli -p 6379'. For a real "
                + "deployment run one role per process (meta, store, gateway), each with its config "
                + "file: docs/deploy.md. 'cairn help COMMAND' tells more about each command.",
            ""},
        subcommands = {
            DevCommand.class,
            StoreCommand.class,
            GatewayCommand.class,
            MetaCommand.class,
            AdminCommand.class,
            VersionCommand.class,
            CommandLine.HelpCommand.class},
        synopsisSubcommandLabel = "COMMAND",
        commandListHeading = "%nCommands:%n",
        footerHeading = "%nExit codes:%n",
        footer = {
            "  0  done (a role process: stopped by SIGTERM or Ctrl-C, closed cleanly)",
            "  1  failed: invalid config file, could not start, ...",
            "  2  usage error: unknown option, missing argument, ..."})
public final class Cairn implements Runnable {
    public static final int EXIT_OK = 0;
    public static final int EXIT_FAILED = 1;
    public static final int EXIT_USAGE = 2;

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "Missing required subcommand");
    }

    /** Netty's leak-detection level properties: of the gateway's Netty and of gRPC's shaded copy. */
    static final java.util.List<String> LEAK_DETECTION_PROPERTIES = java.util.List.of(
            "io.netty.leakDetection.level", "io.grpc.netty.shaded.io.netty.leakDetection.level");

    /**
     * System properties the launcher sets before any Netty class loads, unless given on the
     * command line: Netty's leak detector off. At its default level it records a stack trace for
     * one buffer in 128; under redis-benchmark that was ~1.5% of the CPU samples of
     * {@code cairn dev} and 8-13% of its GET requests/s (docs/benchmarks.md). Tests keep Netty's
     * default, so leaks still show up there.
     */
    static void productionDefaults() {
        for (String p : LEAK_DETECTION_PROPERTIES) {
            if (System.getProperty(p) == null) {
                System.setProperty(p, "disabled");
            }
        }
    }

    /** The configured command line (subcommands, exit codes, error handling). */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Cairn());
        // picocli answers usage errors with 2 (EXIT_USAGE) by default; failures are mapped here.
        cl.setExecutionExceptionHandler(Cairn::onFailure);
        return cl;
    }

    /** Parses and runs {@code args}, printing to {@code out}/{@code err}; returns the exit code. */
    public static int execute(PrintWriter out, PrintWriter err, String... args) {
        CommandLine cl = commandLine();
        cl.setOut(out);
        cl.setErr(err);
        try {
            return cl.execute(args);
        } finally {
            out.flush();
            err.flush();
        }
    }

    private static int onFailure(Exception e, CommandLine cl, CommandLine.ParseResult parsed) {
        PrintWriter err = cl.getErr();
        String name = cl.getCommandSpec().qualifiedName();
        if (e instanceof IllegalArgumentException || e instanceof UncheckedIOException
                || e instanceof MetaUnavailableException) {
            // Config mistakes: the message says what is wrong; a stack trace would hide it.
            err.println(name + ": " + e.getMessage()
                    + (e.getCause() != null ? " (" + e.getCause() + ")" : ""));
            return EXIT_FAILED;
        }
        if (e instanceof java.net.BindException) {
            // e.g. the gateway's port is taken (Netty throws it undeclared)
            err.println(name + ": cannot listen: " + e.getMessage());
            return EXIT_FAILED;
        }
        err.println(name + ": failed: " + e);
        e.printStackTrace(err);
        return EXIT_FAILED;
    }

    public static void main(String[] args) {
        productionDefaults();
        int code = execute(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args);
        System.exit(code);
    }
}
