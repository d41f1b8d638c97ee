#!/bin/sh
# Creates a Jetty 12 base that serves asyncreply as the root application, optionally with
# PostgreSQL through JNDI. Usage:
#
#   JETTY_HOME=/opt/jetty-home-12.1.8 ./setup-jetty-base.sh /srv/asyncreply-base asyncreply.war \
#       [postgresql-42.7.14.jar]
#
# then edit $JETTY_BASE/start.d/asyncreply.ini (and, with PostgreSQL,
# $JETTY_BASE/environments/ee10-asyncreply-jndi.xml) and start:
#
#   cd /srv/asyncreply-base && java -Djava.io.tmpdir=/srv/asyncreply-base/tmp -Xmx512m -jar "$JETTY_HOME/start.jar"
#
# Without the driver argument the application uses its embedded store (asyncreply.store=h2).
set -eu

: "${JETTY_HOME:?set JETTY_HOME to the unpacked jetty-home-12.1.x}"
[ $# -ge 2 ] || { echo "usage: JETTY_HOME=... $0 JETTY_BASE WAR [POSTGRESQL_DRIVER_JAR]" >&2; exit 2; }
# Absolute paths: the script works inside JETTY_BASE.
absolute() { echo "$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"; }
[ -f "$2" ] || { echo "no such WAR: $2" >&2; exit 2; }
[ -z "${3:-}" ] || [ -f "$3" ] || { echo "no such driver jar: $3" >&2; exit 2; }
mkdir -p "$1"
JETTY_BASE=$(cd "$1" && pwd)
WAR=$(absolute "$2")
DRIVER=${3:+$(absolute "$3")}
HERE=$(cd "$(dirname "$0")" && pwd)

cd "$JETTY_BASE"

# http: the connector; ee10-deploy: deploys webapps/*.war; ee10-annotations: runs the
# ServletContainerInitializers and annotations of the WAR as Tomcat does.
MODULES=http,ee10-deploy,ee10-annotations
if [ -n "$DRIVER" ]; then
  # ee10-plus: JNDI (java:comp/env); ext: $JETTY_BASE/lib/ext on the server class path
  MODULES=$MODULES,ee10-plus,ext
fi
java -jar "$JETTY_HOME/start.jar" --add-modules=$MODULES

# Jetty unpacks each deployed instance of a WAR into a directory of its own under java.io.tmpdir:
# start the JVM with -Djava.io.tmpdir=$JETTY_BASE/tmp, where no system tmp cleaner deletes files of
# a running application. Do not create $JETTY_BASE/work: there every instance of ROOT.war unpacks
# into the same directory, and a hot redeploy deletes the new instance's classes.
mkdir -p tmp

cp "$WAR" webapps/ROOT.war

if [ -n "$DRIVER" ]; then
  cp "$DRIVER" lib/ext/
  cp "$HERE/ee10-asyncreply-jndi.xml" environments/
  STORE=jndi
else
  STORE=h2
fi

cat > start.d/asyncreply.ini <<INI
# Listen on this address and port.
jetty.http.host=127.0.0.1
jetty.http.port=8080
# No "Server: Jetty(12.x)" header and no "Powered by Jetty://" on Jetty's own error pages.
jetty.httpConfig.sendServerVersion=false
# No hot redeploy (Jetty 12.1's default): upgrade by restart. 12.1 starts a redeployed application
# beside the old one, which the embedded store cannot do (its database is locked by the old one);
# with PostgreSQL, scanInterval=1 is fine (docs/deployment.md).
jetty.deploy.scanInterval=0
# asyncreply settings: system properties of the Jetty JVM (see docs/configuration.md); the store
# has no default, so it is always named here. start.jar
# sets them in its own JVM and warns "Unknown Arguments detected ... interpreted as a System
# property": expected. Environment variables (ASYNCREPLY_STORE=jndi) work as well.
-Dasyncreply.store=$STORE
-Dasyncreply.h2.dir=$JETTY_BASE/data
INI

echo "Jetty base ready in $JETTY_BASE (store: $STORE); start it with:"
echo "  cd $JETTY_BASE && java -Djava.io.tmpdir=$JETTY_BASE/tmp -Xmx512m -jar $JETTY_HOME/start.jar"
