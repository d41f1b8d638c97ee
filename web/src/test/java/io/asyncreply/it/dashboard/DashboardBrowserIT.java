package io.asyncreply.it.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Cookie;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The dashboard in a real browser (headless Chromium, see {@link Chromium}) against the WAR over
 * HTTP: the overview, finding a task, watching one finish without reloading, cancelling one, a
 * viewer refused, and task data shown as text. Waits are WebDriverWaits on what the page shows.
 * Screenshots of the pages go to {@code target/dashboard-screenshots/} (docs/images holds copies).
 */
class DashboardBrowserIT {
    private static DashboardServer server;
    private static ChromeDriver browser;
    private static WebDriverWait wait;
    private static final Path SHOTS = Path.of("target", "dashboard-screenshots");

    @BeforeAll
    static void start() throws Exception {
        browser = Chromium.start(); // first: skips (or fails in CI) before starting a server for nothing
        server = new DashboardServer();
        wait = new WebDriverWait(browser, Duration.ofSeconds(20));
        Files.createDirectories(SHOTS);
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

    @AfterEach
    void asTheApplicationsOwnCaller() {
        open("dashboard/");
        browser.manage().deleteCookieNamed(TestCallers.COOKIE);
    }

    /** Loads the page afresh (a change of the fragment alone would not reload it). */
    private static void open(String path) {
        browser.get("about:blank");
        browser.get(server.base.resolve(path).toString());
    }

    private static void loaded(String view) {
        wait.until(ExpectedConditions.attributeToBe(By.id("main"), "data-loaded", view));
    }

    private static void screenshot(String name) throws Exception {
        Files.write(SHOTS.resolve(name + ".png"), browser.getScreenshotAs(OutputType.BYTES));
    }

    /** Clicks what {@code by} finds, again if a refresh replaced it just then. */
    private static void click(By by) {
        wait.ignoring(StaleElementReferenceException.class).until(d -> {
            d.findElement(by).click();
            return true;
        });
    }

    /**
     * The text of what {@code by} finds. Live events re-render the page about once a second, so the
     * element found may be replaced before its text is read: then it is found and read again.
     */
    private static String text(By by) {
        return wait.ignoring(StaleElementReferenceException.class).until(d -> d.findElement(by).getText());
    }

    private static By statusOf(String taskId) {
        return By.cssSelector("#task-head [data-status]");
    }

    @Test
    void theOverviewShowsEachTypeWithItsCountsAndHowItUpdatesItself() throws Exception {
        String done = server.submit("echo", "text/plain", "hi", null);
        server.sleep(30_000);
        server.submit("fails", "text/plain", "no such file", null);

        open("dashboard");
        loaded("overview");
        wait.until(ExpectedConditions.textMatches(By.cssSelector("tr[data-type=sleep] td.running"),
                java.util.regex.Pattern.compile("[1-9]\\d*")));

        assertThat(browser.getCurrentUrl()).endsWith("/dashboard/");
        // live events re-render the table: read the rows again until one reading is whole
        wait.ignoring(StaleElementReferenceException.class).until(d -> d.findElements(By.cssSelector("#types tr[data-type]"))
                .stream().map(e -> e.getAttribute("data-type")).collect(java.util.stream.Collectors.toSet())
                .containsAll(java.util.List.of("echo", "fails", "sha256", "sleep")));
        assertThat(text(By.id("health-status"))).isEqualTo("up");
        assertThat(browser.findElements(By.cssSelector("#nodes tr[data-node]"))).hasSize(1);
        assertThat(browser.findElement(By.id("live")).getText()).isEqualTo("live: events"); // the WAR serves /events
        wait.until(ExpectedConditions.not(ExpectedConditions.textToBe(
                By.cssSelector("tr[data-type=fails] td.failed"), "0")));
        assertThat(done).isNotBlank();
        screenshot("overview");
    }

    @Test
    void aTaskIsFoundByItsIdAndByItsIdempotencyKey() throws Exception {
        String id = server.submit("echo", "text/plain", "find me", "order-4711");
        open("dashboard/");
        loaded("overview");

        WebElement q = browser.findElement(By.id("search-q"));
        q.sendKeys(id);
        q.submit();
        wait.until(ExpectedConditions.textToBe(By.id("task-id"), id));
        loaded("task");

        q = browser.findElement(By.id("search-q"));
        q.clear();
        open("dashboard/#/tasks");
        loaded("tasks");
        browser.findElement(By.id("search-q")).sendKeys("order-4711");
        browser.findElement(By.id("search-q")).submit();
        wait.until(ExpectedConditions.textToBe(By.id("task-id"), id));
        assertThat(text(By.id("task-type"))).isEqualTo("echo");
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("task-result")));
        assertThat(text(By.id("task-payload-size"))).isEqualTo("7 B");
        screenshot("task");
    }

    @Test
    void theTaskListFiltersByStatusAndType() throws Exception {
        String failed = server.submit("fails", "text/plain", "list me", null);
        open("dashboard/#/tasks?type=fails&status=FAILED");
        wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#tasks tr[data-id='" + failed + "']")));

        // live events re-render the list: read every row's status again until one reading is whole
        java.util.List<String> statuses = wait.ignoring(StaleElementReferenceException.class).until(d -> d
                .findElements(By.cssSelector("#tasks tbody tr [data-status]")).stream().map(WebElement::getText).toList());
        assertThat(statuses).isNotEmpty().containsOnly("FAILED");
        screenshot("tasks");
    }

    @Test
    void aTaskIsWatchedUntilItFinishesWithoutReloadingThePage() throws Exception {
        String id = server.sleep(3_000);
        open("dashboard/#/task/" + id);
        loaded("task");
        ((JavascriptExecutor) browser).executeScript("window.notReloaded = true;");

        wait.until(ExpectedConditions.textToBe(statusOf(id), "SUCCEEDED"));

        assertThat(((JavascriptExecutor) browser).executeScript("return window.notReloaded === true;")).isEqualTo(true);
        assertThat(browser.findElements(By.cssSelector("#attempts tbody tr"))).hasSize(1);
    }

    @Test
    void anAdminCancelsARunningTask() throws Exception {
        String id = server.sleep(60_000);
        open("dashboard/#/task/" + id);
        wait.until(ExpectedConditions.textToBe(statusOf(id), "RUNNING"));

        click(By.id("action-cancel"));

        wait.until(ExpectedConditions.textToBe(statusOf(id), "CANCELLED"));
        assertThat(browser.findElements(By.id("action-cancel"))).isEmpty();
        assertThat(browser.findElements(By.id("action-retry"))).hasSize(1);
    }

    @Test
    void aViewerSeesNoActionsAndTheApiRefusesTheirs() throws Exception {
        String id = server.sleep(60_000);
        open("dashboard/");
        browser.manage().addCookie(new Cookie(TestCallers.COOKIE, "VIEWER.vera"));
        open("dashboard/#/task/" + id);
        loaded("task");
        wait.until(ExpectedConditions.textToBe(By.id("who"), "vera (viewer, read only)"));

        assertThat(browser.findElements(By.id("action-cancel"))).isEmpty();
        Object status = ((JavascriptExecutor) browser).executeAsyncScript(
                "var done = arguments[arguments.length - 1];"
                        + "fetch('api/tasks/" + id + "/cancel', {method: 'POST', headers: {'X-Requested-With': "
                        + "'asyncreply-dashboard'}}).then(function (r) { done(r.status); });");
        assertThat(status).isEqualTo(403L);

        open("dashboard/");
        loaded("overview");
        wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("tr[data-type=sleep]")));
        assertThat(browser.findElements(By.cssSelector("button[data-action]"))).isEmpty();
        server.send("POST", "dashboard/api/tasks/" + id + "/cancel", null, Map.of("X-Requested-With",
                "asyncreply-dashboard"));
    }

    @Test
    void anErrorThatIsMarkupIsShownAsText() throws Exception {
        String markup = "<script>window.injected = 1</script><img src=x onerror=\"window.injected = 2\">";
        String id = server.submit("fails", "text/plain", markup, null);
        open("dashboard/#/task/" + id);
        wait.until(ExpectedConditions.textToBe(statusOf(id), "FAILED"));

        assertThat(text(By.id("task-error-message"))).contains(markup);
        assertThat(browser.findElements(By.cssSelector("#task-error img, #task-error script"))).isEmpty();
        assertThat(((JavascriptExecutor) browser).executeScript("return window.injected === undefined;")).isEqualTo(true);
        open("dashboard/#/tasks?type=fails");
        loaded("tasks");
        assertThat(browser.findElements(By.cssSelector("#tasks img"))).isEmpty();
    }

    /** See {@link #aPageLeftBehindClosesItsEventStream()} for why this failed after other tests. */
    @Test
    void anAdminPausesAndResumesAType() throws Exception {
        open("dashboard/");
        loaded("overview");
        By button = By.cssSelector("tr[data-type=sha256] button[data-action]");
        wait.until(ExpectedConditions.attributeToBe(button, "data-action", "pause"));

        click(button);
        wait.until(ExpectedConditions.attributeToBe(button, "data-action", "resume"));
        assertThat(text(By.cssSelector("tr[data-type=sha256] .badge"))).isEqualTo("paused");

        click(button);
        wait.until(ExpectedConditions.attributeToBe(button, "data-action", "pause"));
    }

    @Test
    void anAdminIsToldWhenAnActionFails() throws Exception {
        open("dashboard/");
        loaded("overview");
        By button = By.cssSelector("tr[data-type=sha256] button[data-action]");
        wait.until(ExpectedConditions.attributeToBe(button, "data-action", "pause"));
        // the page was loaded for an admin; from now on the server sees a viewer, and refuses the action
        browser.manage().addCookie(new Cookie(TestCallers.COOKIE, "VIEWER.vera"));

        click(button);

        wait.until(ExpectedConditions.attributeContains(By.id("toast"), "class", "error"));
        assertThat(browser.findElement(By.id("toast")).getText()).startsWith("Pausing sha256 failed: Forbidden");
        wait.until(ExpectedConditions.elementToBeClickable(button)); // enabled again, for another try
        String action = wait.ignoring(StaleElementReferenceException.class)
                .until(d -> d.findElement(button).getAttribute("data-action"));
        assertThat(action).isEqualTo("pause");
    }

    /**
     * A browser opens at most 6 connections to a server, for all its pages, and an event stream
     * holds one. A page left for another (Chromium keeps it in its back/forward cache) kept its
     * stream open, so after a few pages every request of the page in front waited for a free
     * connection: a Pause click reached the server 53 s later. A page now closes its stream when
     * it is left or hidden, and the server counts one stream: the page in front's.
     */
    @Test
    void aPageLeftBehindClosesItsEventStream() throws Exception {
        for (int i = 0; i < 4; i++) {
            open("dashboard/");
            wait.until(ExpectedConditions.textToBe(By.id("live"), "live: events"));
        }

        new WebDriverWait(browser, Duration.ofSeconds(20))
                .withMessage(() -> "event streams open: " + openStreams() + ", not only the page in front's")
                .until(d -> openStreams() == 1);
    }

    /** asyncreply_events_streams_open from the server's /metrics. */
    private static int openStreams() {
        try {
            String metrics = server.send("GET", "metrics", null, Map.of()).body();
            return metrics.lines().filter(l -> l.startsWith("asyncreply_events_streams_open "))
                    .mapToInt(l -> (int) Double.parseDouble(l.substring(l.indexOf(' ') + 1).trim())).findFirst()
                    .orElseThrow(() -> new AssertionError("no asyncreply_events_streams_open in /metrics"));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (Exception e) {
            throw new IllegalStateException("GET /metrics failed", e);
        }
    }
}
