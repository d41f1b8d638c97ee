package io.asyncreply.it.dashboard;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * Debian's headless Chromium driven by Selenium, for the browser tests. Both the browser and the
 * driver are named by path, so Selenium Manager never looks for (or downloads) either. Where they
 * are not installed ({@code apt-get install chromium chromium-driver}; .ci/run does it) the tests
 * are skipped with that message, except with {@code CI=true}, where they fail.
 */
final class Chromium {
    static final Path BROWSER = Path.of(System.getProperty("asyncreply.chromium", "/usr/bin/chromium"));
    static final Path DRIVER = Path.of(System.getProperty("asyncreply.chromedriver", "/usr/bin/chromedriver"));

    private Chromium() {
    }

    static ChromeDriver start() {
        if (!Files.isExecutable(BROWSER) || !Files.isExecutable(DRIVER)) {
            String why = "Chromium or its driver is not installed (" + BROWSER + ", " + DRIVER
                    + "): apt-get install -y chromium chromium-driver";
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                Assertions.fail("CI=true requires the browser tests to run, but " + why);
            }
            Assumptions.abort(why);
        }
        System.setProperty("webdriver.chrome.driver", DRIVER.toString());
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(DRIVER.toFile())
                .usingAnyFreePort().withTimeout(Duration.ofSeconds(60)).build();
        ChromeOptions options = new ChromeOptions();
        options.setBinary(BROWSER.toFile());
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-dev-shm-usage", "--window-size=1280,900", "--lang=en-US");
        ChromeDriver driver = new ChromeDriver(service, options);
        driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(60));
        return driver;
    }
}
