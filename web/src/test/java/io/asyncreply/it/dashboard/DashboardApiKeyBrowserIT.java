package io.asyncreply.it.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import io.asyncreply.web.auth.KeyDigest;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The dashboard in a real browser (headless Chromium, {@link Chromium}) against the WAR with
 * {@code asyncreply.auth=apikey} and real keys: the page asks for a key, keeps it in the tab's
 * session storage only, sends it with every request (the event stream too, read with fetch), and
 * tells a user key and a bad key apart.
 */
class DashboardApiKeyBrowserIT {
    private static final String STORED = "asyncreply.dashboard.key";
    private static DashboardServer server;
    private static DashboardServer.ApiKeys keys;
    private static ChromeDriver browser;
    private static WebDriverWait wait;

    @BeforeAll
    static void start() throws Exception {
        browser = Chromium.start(); // first: skips (or fails in CI) before starting a server for nothing
        keys = new DashboardServer.ApiKeys();
        server = new DashboardServer(keys);
        wait = new WebDriverWait(browser, Duration.ofSeconds(20));
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            if (browser != null) {
                browser.quit();
            }
        } finally {
            if (server != null) {
                server.close();
            }
        }
    }

    /** Every test begins signed out: the tab's session storage is emptied. */
    @BeforeEach
    void signedOut() {
        open("dashboard/");
        js("window.sessionStorage.clear();");
    }

    private static Object js(String script) {
        return ((JavascriptExecutor) browser).executeScript(script);
    }

    private static void open(String path) {
        browser.get("about:blank");
        browser.get(server.base.resolve(path).toString());
    }

    private static void loaded(String view) {
        wait.until(ExpectedConditions.attributeToBe(By.id("main"), "data-loaded", view));
    }

    /** Opens {@code path}, which asks for a key, and signs in with {@code key}. */
    private static void signIn(String path, String key) {
        open(path);
        loaded("sign-in");
        WebElement input = browser.findElement(By.id("sign-in-key"));
        input.sendKeys(key);
        browser.findElement(By.id("sign-in-submit")).click();
    }

    @Test
    void anAdminSignsInSeesTheOverviewAndWatchesATaskFinishLive() throws Exception {
        signIn("dashboard/", keys.admin);
        loaded("overview");
        wait.until(ExpectedConditions.textToBe(By.id("who"), "ops (admin)"));
        wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("tr[data-type=sleep] button[data-action]")));

        assertThat(js("return window.sessionStorage.getItem('" + STORED + "');")).isEqualTo(keys.admin);
        assertThat(js("return window.localStorage.length;")).isEqualTo(0L);
        assertThat(browser.manage().getCookies()).isEmpty();
        assertThat(browser.getCurrentUrl()).doesNotContain(keys.admin);

        String id = server.sleep(3_000);
        js("location.hash = '#/task/" + id + "'; window.notReloaded = true;");
        wait.until(ExpectedConditions.textToBe(By.cssSelector("#task-head [data-status]"), "RUNNING"));
        wait.until(ExpectedConditions.textToBe(By.id("live"), "live: events"));
        wait.until(ExpectedConditions.textToBe(By.cssSelector("#task-head [data-status]"), "SUCCEEDED"));
        assertThat(js("return window.notReloaded === true;")).isEqualTo(true);
        assertThat(browser.findElement(By.id("live")).getText()).isEqualTo("live: events");

        browser.findElement(By.id("sign-out")).click();
        loaded("sign-in");
        assertThat(js("return window.sessionStorage.getItem('" + STORED + "');")).isNull();
        assertThat(browser.findElement(By.id("sign-out")).isDisplayed()).isFalse();
    }

    @Test
    void aViewerKeySeesNoActionButtonsAndTheApiRefusesAForcedAction() throws Exception {
        String id = server.sleep(60_000);
        signIn("dashboard/#/task/" + id, keys.viewer);
        loaded("task");
        wait.until(ExpectedConditions.textToBe(By.id("who"), "audit (viewer, read only)"));
        wait.until(ExpectedConditions.textToBe(By.cssSelector("#task-head [data-status]"), "RUNNING"));

        assertThat(browser.findElements(By.id("action-cancel"))).isEmpty();
        Object status = ((JavascriptExecutor) browser).executeAsyncScript(
                "var done = arguments[arguments.length - 1];"
                        + "fetch('api/tasks/" + id + "/cancel', {method: 'POST', headers: {'X-Requested-With': "
                        + "'asyncreply-dashboard', 'Authorization': 'Bearer ' + sessionStorage.getItem('" + STORED
                        + "')}}).then(function (r) { done(r.status); });");
        assertThat(status).isEqualTo(403L);

        js("location.hash = '#/';");
        loaded("overview");
        wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("tr[data-type=sleep]")));
        assertThat(browser.findElements(By.cssSelector("button[data-action]"))).isEmpty();
        server.send("POST", "dashboard/api/tasks/" + id + "/cancel", null, java.util.Map.of("X-Requested-With",
                "asyncreply-dashboard", "Authorization", "Bearer " + keys.admin));
    }

    @Test
    void aUserKeyIsToldItIsNotAnAdminOrViewerKey() {
        signIn("dashboard/", keys.user);
        loaded("refused");

        assertThat(browser.findElement(By.id("refused")).getText()).isEqualTo("This key is not an admin or viewer key.");
        assertThat(browser.findElement(By.id("sign-out")).isDisplayed()).isTrue();
    }

    @Test
    void aBadKeyIsAskedForAgain() {
        signIn("dashboard/", KeyDigest.newKey());

        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("sign-in-error")));
        loaded("sign-in");
        assertThat(browser.findElement(By.id("sign-in-error")).getText()).isEqualTo("The server did not accept that key.");
        assertThat(js("return window.sessionStorage.getItem('" + STORED + "');")).isNull();
        assertThat(browser.findElement(By.id("sign-in-key")).getAttribute("value")).isEmpty();
    }
}
