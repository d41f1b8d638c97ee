# asyncreply on Apache Tomcat 10.1 / 11: JVM options and application settings.
#
# Copy to $CATALINA_BASE/bin/setenv.sh; catalina.sh reads it on every start and stop.
# CATALINA_OPTS applies to the Tomcat JVM only (not to "catalina.sh stop"). catalina.sh passes
# it through eval: no blanks inside a value, or quote them for the shell twice.
#
# Every asyncreply setting is a system property of the same name (see docs/configuration.md);
# a system property wins over an environment variable (ASYNCREPLY_STORE=...) and over the
# context's <Parameter> (tomcat/context.xml.default).

# Heap: the task queue lives in the store, not in memory; 256m-512m is plenty for the engine.
CATALINA_OPTS="$CATALINA_OPTS -Xmx512m -XX:+ExitOnOutOfMemoryError"

# Store: there is no default, the application does not start without one. Embedded, durable
# (the H2 file tasks.mv.db in asyncreply.h2.dir, kept across restarts and redeploys):
CATALINA_OPTS="$CATALINA_OPTS -Dasyncreply.store=h2 -Dasyncreply.h2.dir=$CATALINA_BASE/data"
# ...or PostgreSQL through JNDI (java:comp/env/jdbc/tasks): global-resource.xml and
# context.xml.default beside this file, which also set asyncreply.store=jndi: drop the line above.

# Workers (default: number of CPUs) and how long a stopping container lets running tasks finish.
CATALINA_OPTS="$CATALINA_OPTS -Dasyncreply.workers=4 -Dasyncreply.shutdown.grace=10s"

# Lets "catalina.sh stop 30 -force" wait for this instance and kill it if it hangs (30 s: more
# than asyncreply.shutdown.grace plus a few seconds).
CATALINA_PID="$CATALINA_BASE/tomcat.pid"
