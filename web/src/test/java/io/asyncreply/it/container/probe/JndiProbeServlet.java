package io.asyncreply.it.container.probe;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import javax.naming.InitialContext;
import javax.sql.DataSource;

/**
 * Packaged by {@link ProbeWar} into a tiny WAR (never into the product): GET /jndi?name=... looks
 * the name up (default {@code java:comp/env/jdbc/tasks}) and runs {@code SELECT 42} on it, so a
 * test can prove a container's JNDI setup with the driver on the container's own class path.
 */
public final class JndiProbeServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String name = request.getParameter("name") == null ? "java:comp/env/jdbc/tasks" : request.getParameter("name");
        response.setContentType("text/plain;charset=UTF-8");
        StringWriter out = new StringWriter();
        PrintWriter w = new PrintWriter(out);
        w.println("property asyncreply.store=" + System.getProperty("asyncreply.store"));
        w.println("init-param asyncreply.store=" + getServletContext().getInitParameter("asyncreply.store"));
        try {
            Object bound = new InitialContext().lookup(name);
            w.println("class=" + bound.getClass().getName());
            try (Connection c = ((DataSource) bound).getConnection();
                    Statement s = c.createStatement();
                    ResultSet r = s.executeQuery("SELECT 42")) {
                r.next();
                w.println("database=" + c.getMetaData().getDatabaseProductName());
                w.println("select=" + r.getInt(1));
            }
        } catch (Exception e) {
            response.setStatus(500);
            e.printStackTrace(w);
        }
        w.flush();
        response.getWriter().write(out.toString());
    }
}
