package dev.gpt2.jmh;

import org.apache.maven.artifact.DependencyResolutionRequiredException;
import org.apache.maven.plugin.AbstractMojo;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.Parameter;
import org.apache.maven.project.MavenProject;

import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs {@link #mainClass} of the project in a new JVM (see {@link ProjectJvm} for its paths), in the project's folder,
 * and fails the build when it exits with an error.
 */
abstract class ForkedMainMojo extends AbstractMojo {

    @Parameter(defaultValue = "${project}", readonly = true, required = true)
    MavenProject project;

    /** The main class: for the benchmarks, the suite that runs JMH and writes the report. */
    @Parameter(required = true)
    String mainClass;

    /** JVM options of the forked JVM, before the module and class paths. */
    @Parameter
    List<String> jvmArgs = new ArrayList<>();

    /** The java launcher; by default the JDK Maven runs on. */
    @Parameter(property = "jmh.jvm", defaultValue = "${java.home}/bin/java")
    File jvm;

    /** Where the java argument file is written ({@code java @FILE MAIN}: the same JVM by hand). */
    @Parameter(defaultValue = "${project.build.directory}/jmh-java.args")
    File argumentFile;

    /** Forks the JVM with {@code args} for the main class. */
    void launch(List<String> args) throws MojoExecutionException, MojoFailureException {
        ProjectJvm paths;
        try {
            paths = ProjectJvm.of(project.getRuntimeClasspathElements().stream().map(Path::of).toList());
            ProjectJvm.writeArgumentFile(argumentFile.toPath(), paths.options(jvmArgs));
        } catch (DependencyResolutionRequiredException | IOException | RuntimeException e) {
            throw new MojoExecutionException("cannot prepare the JVM for " + mainClass + ": " + e.getMessage(), e);
        }
        List<String> command = new ArrayList<>();
        command.add(jvm.getPath());
        command.add("@" + argumentFile.getAbsolutePath());
        command.add(mainClass);
        command.addAll(args);
        getLog().info("running " + String.join(" ", command));
        int exit;
        try {
            Process p = new ProcessBuilder(command).directory(project.getBasedir()).inheritIO().start();
            exit = p.waitFor();
        } catch (IOException e) {
            throw new MojoExecutionException("cannot start " + jvm + ": " + e.getMessage()
                    + " (set -Djmh.jvm=/path/to/jdk-25/bin/java)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MojoExecutionException("interrupted while " + mainClass + " ran", e);
        }
        if (exit != 0) {
            throw new MojoFailureException(mainClass + " failed with exit code " + exit + " (its output is above)");
        }
    }
}
