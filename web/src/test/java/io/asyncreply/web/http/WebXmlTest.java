package io.asyncreply.web.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * Guards the security constraint in web.xml that lets TRACE reach the application on Jetty (see
 * the comment there): it must cover every method (covering TRACE alone makes Tomcat log SEVERE
 * about uncovered methods), and no auth-constraint may share its url-pattern, or the two would
 * combine into unauthenticated access.
 */
class WebXmlTest {
    private record Constraint(List<String> patterns, List<String> methods, boolean authenticated) {
    }

    private static List<Constraint> constraints() throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(true);
        Document doc = f.newDocumentBuilder().parse(Path.of("src/main/webapp/WEB-INF/web.xml").toFile());
        List<Constraint> all = new ArrayList<>();
        NodeList list = doc.getElementsByTagNameNS("*", "security-constraint");
        for (int i = 0; i < list.getLength(); i++) {
            Element c = (Element) list.item(i);
            all.add(new Constraint(texts(c, "url-pattern"), texts(c, "http-method"),
                    c.getElementsByTagNameNS("*", "auth-constraint").getLength() > 0));
        }
        return all;
    }

    private static List<String> texts(Element e, String name) {
        List<String> out = new ArrayList<>();
        NodeList l = e.getElementsByTagNameNS("*", name);
        for (int i = 0; i < l.getLength(); i++) {
            out.add(l.item(i).getTextContent().trim());
        }
        return out;
    }

    @Test
    void theConstraintThatLetsTraceThroughCoversEveryMethodAndNoAuthConstraintSharesItsPattern() throws Exception {
        List<Constraint> all = constraints();
        List<Constraint> open = all.stream().filter(c -> !c.authenticated() && c.patterns().contains("/*")).toList();
        assertThat(open).as("the unconstrained constraint on /*").hasSize(1);
        assertThat(open.get(0).methods()).as("it covers every method").isEmpty();
        assertThat(all).as("an auth-constraint on /* beside it would be void: replace it instead")
                .noneMatch(c -> c.authenticated() && c.patterns().contains("/*"));
    }
}
