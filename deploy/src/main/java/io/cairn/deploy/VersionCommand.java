package io.cairn.deploy;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code cairn version}: the same text as {@code cairn --version}. */
@Command(name = "version", mixinStandardHelpOptions = true,
        header = "Print the version of cairn and of the Java runtime.")
final class VersionCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        for (String line : new VersionInfo().getVersion()) {
            spec.commandLine().getOut().println(line);
        }
        return Cairn.EXIT_OK;
    }
}
