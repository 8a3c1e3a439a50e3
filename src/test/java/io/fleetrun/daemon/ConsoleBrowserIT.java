package io.fleetrun.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetrun.demo.EmbeddedSshServer;
import io.fleetrun.testing.RequiredTool;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The web console in a real browser (Debian's headless Chromium through its chromedriver) against
 * a real daemon: HTTP on, two tokens (reader and operator), instances on an in-process SSH
 * server, jobs that finish, fail, print markup, keep running and repeat. Screenshots of each step
 * go to {@code target/console-screenshots/}.
 */
class ConsoleBrowserIT {
  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
  private static final Path SHOTS = Path.of("target", "console-screenshots");
  private static final String READER = "console-reader-0123456789abcdef0123456789";
  private static final String OPERATOR = "console-operator-0123456789abcdef01234567";
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final String TITLE = "fleetrun console";
  /** Prints markup meant to run in the page: it must show as text. printf's octal keeps YAML and sh quoting out of it. */
  private static final String EVIL = "printf \"\\074img src=x onerror=\\042document.title=\\047pwned\\047\\042\\076\\n"
      + "\\074/pre\\076\\074script\\076document.title=\\047pwned2\\047\\074/script\\076\\n\""
      + " # <b>bold</b><img src=y onerror=document.title=1>";
  private static final String JOBS = """
      commands:
        - { id: hello, content: "echo hello from {{fleetrun.instanceId}}" }
        - { id: evil, content: '%s' }
        - { id: sleepy, content: "sleep 600", timeout: 15m }
        - { id: tick, content: "date -u +%%S" }
      jobs:
        - { id: greet, command: hello, targets: { tags: [web] }, repeat: Once }
        - { id: inject, command: evil, targets: { instances: [web-1] }, repeat: Once }
        - { id: lost, command: hello, targets: { instances: [gone] }, repeat: Once }
        - { id: hold, command: sleepy, targets: { instances: [web-1, web-2] }, repeat: Once }
        - { id: tick, command: tick, targets: { instances: [db-1] }, repeat: Period, frequency: "rate(1s)" }
      """;

  private static Path dir;
  private static EmbeddedSshServer ssh;
  private static ReloadFixture config;
  private static Daemon daemon;
  private static String base;
  private static WebDriver driver;

  @BeforeAll
  static void start() throws Exception {
    RequiredTool.require("chromium", missing(CHROMIUM, "chromium"));
    RequiredTool.require("chromedriver", missing(CHROMEDRIVER, "chromium-driver"));
    dir = Files.createTempDirectory("console-it");
    ssh = EmbeddedSshServer.start(dir.resolve("ssh"));
    int port = freePort();
    config = ReloadFixture.in(dir, """
        database: { url: "jdbc:sqlite:%s" }
        http:
          listen: 127.0.0.1:%d
          tokens:
            - { name: viewer, role: reader, file: %s }
            - { name: ci, role: operator, file: %s }
        ssh: { user: %s, identityFile: %s, knownHosts: %s, connectTimeout: 5s }
        instances:
          - { id: web-1, host: 127.0.0.1, port: %d, tags: [web] }
          - { id: web-2, host: 127.0.0.1, port: %d, tags: [web] }
          - { id: db-1, host: 127.0.0.1, port: %d, tags: [db] }
          - { id: gone, host: 127.0.0.1, port: %d }
        """.formatted(dir.resolve("fleetrun.db"), port, token(READER), token(OPERATOR),
        System.getProperty("user.name"), ssh.clientKey(), ssh.knownHosts(), ssh.port(), ssh.port(), ssh.port(),
        freePort()));
    config.edit(JOBS.formatted(EVIL));
    daemon = config.start();
    base = "http://127.0.0.1:" + port;
    driver = browser();
  }

  @AfterAll
  static void stop() {
    if (driver != null) {
      driver.quit();
    }
    if (daemon != null) {
      daemon.close();
    }
    if (ssh != null) {
      ssh.close();
    }
  }

  @Test
  void aReaderSeesTheListNewestFirstWithBadgesAndCountsAndNoStopButton() throws Exception {
    signIn(READER);
    assertThat(driver.getCurrentUrl()).as("the token left the address bar").doesNotContain("token");
    WebElement greet = rowOf("greet", "Finished");
    assertThat(greet.findElement(By.cssSelector("td[data-label=Instances]")).getText()).isEqualTo("2 Finished");
    assertThat(greet.findElement(By.cssSelector(".badge")).getAttribute("class")).contains("s-Finished");
    // The periodic job runs all along (the operator's test stops "hold", in whatever order they run).
    WebElement tick = rowOf("tick", "Running");
    assertThat(tick.findElement(By.cssSelector("td[data-label=Command]")).getText()).contains("date -u");
    assertThat(text("who")).isEqualTo("viewer · reader");
    assertThat(driver.findElements(By.cssSelector("button.stop"))).as("a reader gets no Stop").isEmpty();
    List<String> created = new ArrayList<>();
    for (WebElement t : driver.findElements(By.cssSelector("#invocations tbody td[data-label=Created] time"))) {
      created.add(t.getAttribute("datetime"));
    }
    assertThat(created).hasSizeGreaterThanOrEqualTo(5).isSortedAccordingTo(java.util.Comparator.reverseOrder());
    shot("list-reader-1280");

    open("tick");
    waitFor(By.cssSelector("#instances tbody tr[data-instance-id=db-1]"));
    assertThat(badgeOf("#instances tr[data-instance-id=db-1]")).isEqualTo("Running");
    assertThat(driver.findElements(By.cssSelector("button.stop"))).as("no Stop in the results either").isEmpty();
  }

  @Test
  void theSignInFormRefusesAWrongTokenTakesARightOneAndSignsOut() throws Exception {
    driver.get("about:blank");
    driver.get(base + "/");
    ((JavascriptExecutor) driver).executeScript("sessionStorage.clear()");
    driver.navigate().refresh();
    WebElement field = wait(ExpectedConditions.visibilityOfElementLocated(By.id("token")));
    assertThat(driver.findElement(By.cssSelector("label[for=token]")).getText()).isEqualTo("API token");
    field.sendKeys("not-a-token-of-this-daemon");
    driver.findElement(By.cssSelector("#signin-form button[type=submit]")).click();
    wait(ExpectedConditions.textToBePresentInElementLocated(By.id("signin-message"), "not accepted"));
    shot("sign-in-refused");

    driver.findElement(By.id("token")).sendKeys(READER + "\n");
    rowOf("greet", "Finished");
    driver.findElement(By.id("signout")).click();
    wait(ExpectedConditions.visibilityOfElementLocated(By.id("token")));
    assertThat(((JavascriptExecutor) driver).executeScript("return sessionStorage.length")).isEqualTo(0L);
  }

  @Test
  void theFiltersNarrowTheListByStatusJobInstanceAndInvokeId() throws Exception {
    signIn(READER);
    rowOf("greet", "Finished");
    rowOf("lost", "Failed");

    filter("f-status", "Failed");
    assertThat(jobsShown()).containsExactly("lost");
    clearFilters();

    driver.findElement(By.id("f-job")).sendKeys("greet");
    apply();
    assertThat(jobsShown()).containsExactly("greet");
    clearFilters();

    driver.findElement(By.id("f-instance")).sendKeys("db-1");
    apply();
    assertThat(jobsShown()).containsExactly("tick");
    clearFilters();

    String id = rowOf("inject", "Finished").getAttribute("data-invoke-id");
    driver.findElement(By.id("f-invoke")).sendKeys(id);
    apply();
    assertThat(jobsShown()).containsExactly("inject");
    shot("filtered-by-invoke-id");
    clearFilters();

    driver.findElement(By.id("f-invoke")).sendKeys("t-no-such-invocation");
    apply();
    wait(ExpectedConditions.textToBePresentInElementLocated(By.id("list-message"), "No invocation t-no-such-invocation"));
    clearFilters();
  }

  @Test
  void resultsShowEachInstanceWithItsOutputCollapsedAndExpandableAsText() throws Exception {
    signIn(READER);
    open("greet");
    WebElement web1 = waitFor(By.cssSelector("#records li[data-instance-id=web-1]"));
    waitFor(By.cssSelector("#records li[data-instance-id=web-2]"));
    assertThat(web1.findElement(By.cssSelector(".badge")).getText()).isEqualTo("Finished");
    assertThat(web1.getText()).contains("Success").doesNotContain("hello from");
    assertThat(web1.findElement(By.xpath(".//dt[.='Exit code']/following-sibling::dd")).getText()).isEqualTo("0");
    WebElement output = web1.findElement(By.cssSelector("details.output"));
    assertThat(output.findElement(By.tagName("pre")).isDisplayed()).isFalse();
    output.findElement(By.tagName("summary")).click();
    wait(ExpectedConditions.visibilityOf(output.findElement(By.tagName("pre"))));
    assertThat(output.findElement(By.tagName("pre")).getText()).isEqualTo("hello from web-1");
    assertThat(output.findElement(By.tagName("pre")).getCssValue("font-family")).containsIgnoringCase("mono");
    shot("results-1280");

    driver.findElement(By.id("back")).click();
    open("lost");
    WebElement gone = waitFor(By.cssSelector("#records li[data-instance-id=gone]"));
    assertThat(gone.findElement(By.cssSelector(".badge")).getText()).isEqualTo("Failed");
    assertThat(gone.findElement(By.cssSelector(".error-code")).getText()).isEqualTo("ConnectionRefused");
  }

  @Test
  void markupInAnOutputIsShownAsTextAndNeverRuns() throws Exception {
    signIn(READER);
    open("inject");
    WebElement record = waitFor(By.cssSelector("#records li[data-instance-id=web-1]"));
    WebElement output = record.findElement(By.cssSelector("details.output"));
    // Expanded with the keyboard: the summary is focusable and Enter toggles it.
    output.findElement(By.tagName("summary")).sendKeys("\n");
    WebElement pre = wait(ExpectedConditions.visibilityOf(output.findElement(By.tagName("pre"))));
    assertThat(pre.getText()).isEqualTo("<img src=x onerror=\"document.title='pwned'\">\n"
        + "</pre><script>document.title='pwned2'</script>");
    assertThat(driver.findElement(By.cssSelector("#r-summary code")).getText())
        .endsWith(" # <b>bold</b><img src=y onerror=document.title=1>");
    assertThat(driver.findElements(By.tagName("img"))).isEmpty();
    assertThat(driver.findElements(By.cssSelector("main b"))).isEmpty();
    assertThat(driver.findElements(By.cssSelector("main script, #records script"))).isEmpty();
    assertThat(driver.getTitle()).isEqualTo(TITLE);
    shot("markup-as-text");
  }

  @Test
  void anOperatorStopsAnInstanceAndThenTheInvocationAfterConfirming() throws Exception {
    signIn(OPERATOR);
    assertThat(text("who")).isEqualTo("ci · operator");
    WebElement hold = rowOf("hold", "Running");
    assertThat(hold.findElements(By.cssSelector("button.stop"))).hasSize(1);
    assertThat(rowOf("greet", "Finished").findElements(By.cssSelector("button.stop"))).as("only Running ones").isEmpty();
    open("hold");
    WebElement stopWeb1 = waitFor(By.cssSelector("#instances tr[data-instance-id=web-1] button.stop"));

    // Cancel changes nothing.
    stopWeb1.click();
    WebElement dialog = wait(ExpectedConditions.visibilityOfElementLocated(By.id("confirm")));
    assertThat(dialog.getText()).contains("Stop instance web-1 of invocation");
    shot("stop-confirm");
    driver.findElement(By.id("confirm-cancel")).click();
    wait(ExpectedConditions.invisibilityOfElementLocated(By.id("confirm")));
    assertThat(badgeOf("#instances tr[data-instance-id=web-1]")).isEqualTo("Running");

    // Stop, confirmed: web-1 stops, web-2 runs on.
    driver.findElement(By.cssSelector("#instances tr[data-instance-id=web-1] button.stop")).click();
    wait(ExpectedConditions.visibilityOfElementLocated(By.id("confirm")));
    driver.findElement(By.id("confirm-stop")).click();
    wait(d -> "Stopped".equals(badgeOf("#instances tr[data-instance-id=web-1]")));
    assertThat(badgeOf("#instances tr[data-instance-id=web-2]")).isEqualTo("Running");

    // The whole invocation, confirmed from the keyboard.
    WebElement stopAll = waitFor(By.cssSelector("#r-actions button.stop"));
    stopAll.sendKeys("\n");
    wait(ExpectedConditions.visibilityOfElementLocated(By.id("confirm")));
    driver.findElement(By.id("confirm-stop")).sendKeys("\n");
    wait(d -> "Stopped".equals(badgeOf("#r-summary")));
    wait(d -> d.findElements(By.cssSelector("#results-view button.stop")).isEmpty());
    shot("stopped");
  }

  @Test
  void theListAndAnOpenRunFollowTheDaemonWithoutAReload() throws Exception {
    signIn(READER);
    rowOf("tick", "Running");
    JavascriptExecutor js = (JavascriptExecutor) driver;
    js.executeScript("window.sameDocument = 'yes'");
    wait(ExpectedConditions.textToBe(By.id("live"), "● Live"));

    // A job added by a reload runs at once: its row appears at the top, unasked.
    config.edit(JOBS.formatted(EVIL) + "  - { id: late, command: hello, targets: { instances: [web-2] }, repeat: Once }\n");
    assertThat(daemon.reload().applied()).isTrue();
    wait(d -> "late".equals(firstJob()));
    wait(d -> rowOf("late").getText().contains("1 Finished"));
    shot("live-new-row");

    // The periodic job's open results gain runs as they end.
    open("tick");
    long top = newestRun();
    wait(d -> newestRun() > top);
    long next = newestRun();
    wait(d -> newestRun() > next);
    assertThat(js.executeScript("return window.sameDocument")).as("no reload").isEqualTo("yes");
  }

  @Test
  void onAPhoneTheListBecomesCardsAndThePageNeverScrollsSideways() throws Exception {
    signIn(READER);
    rowOf("greet", "Finished");
    try {
      driver.manage().window().setSize(new Dimension(375, 812));
      JavascriptExecutor js = (JavascriptExecutor) driver;
      wait(d -> ((Number) js.executeScript("return window.innerWidth")).intValue() <= 400);
      assertThat(((Number) js.executeScript("return document.documentElement.scrollWidth - window.innerWidth"))
          .intValue()).isLessThanOrEqualTo(0);
      assertThat(driver.findElement(By.cssSelector("#invocations thead")).isDisplayed()).isFalse();
      assertThat(rowOf("greet", "Finished").findElement(By.cssSelector("td[data-label=Job]")).getCssValue("display"))
          .isEqualTo("grid");
      shot("list-phone-375");
      open("inject");
      waitFor(By.cssSelector("#records li summary")).click();
      assertThat(((Number) js.executeScript("return document.documentElement.scrollWidth - window.innerWidth"))
          .intValue()).isLessThanOrEqualTo(0);
      shot("results-phone-375");
    } finally {
      driver.manage().window().setSize(new Dimension(1280, 900));
    }
  }

  @Test
  void withoutTokensOnLoopbackThePageNeedsNoSignIn() throws Exception {
    Path open = Files.createDirectories(dir.resolve("open"));
    int port = freePort();
    ReloadFixture openConfig = ReloadFixture.in(open, """
        database: { url: "jdbc:sqlite:%s" }
        http: { listen: 127.0.0.1:%d }
        ssh: { user: %s, identityFile: %s, knownHosts: %s, connectTimeout: 5s }
        instances: [ { id: solo, host: 127.0.0.1, port: %d } ]
        commands: [ { id: hello, content: "echo hi" } ]
        jobs: [ { id: only, command: hello, targets: { instances: [solo] }, repeat: Once } ]
        """.formatted(open.resolve("fleetrun.db"), port, System.getProperty("user.name"), ssh.clientKey(),
        ssh.knownHosts(), ssh.port()));
    try (Daemon second = openConfig.start()) {
      driver.get("about:blank");
      driver.get("http://127.0.0.1:" + port + "/");
      ((JavascriptExecutor) driver).executeScript("sessionStorage.clear()");
      driver.navigate().refresh();
      rowOf("only", "Finished");
      assertThat(text("who")).isEqualTo("no token · reader");
      assertThat(driver.findElement(By.id("signout")).isDisplayed()).isFalse();
      assertThat(driver.findElement(By.id("signin")).isDisplayed()).isFalse();
    }
  }

  /** The page's own SSE parser, fed in awkward chunks: split lines, CRLF split in two, comments, multi-line data. */
  @Test
  void theEventParserReadsEventsAcrossChunkBoundaries() {
    driver.get(base + "/");
    Object parsed = ((JavascriptExecutor) driver).executeAsyncScript("""
        const done = arguments[arguments.length - 1];
        import('/console/events.js').then(({ SseParser }) => {
          const out = [];
          const p = new SseParser((e) => out.push(e));
          for (const chunk of [': keep-alive\\n\\nid: 7\\r', '\\nevent: record-ended\\ndata: {"invokeId":', '"t-1"}\\r\\n',
              '\\r\\n', 'id: 8\\nevent: reset\\ndata\\n\\n', 'data: a\\ndata:b\\n\\nid: 9\\ndata: half']) {
            p.feed(chunk);
          }
          done(JSON.stringify(out));
        });
        """);
    assertThat(parsed).isEqualTo("[{\"id\":\"7\",\"event\":\"record-ended\",\"data\":\"{\\\"invokeId\\\":\\\"t-1\\\"}\"},"
        + "{\"id\":\"8\",\"event\":\"reset\",\"data\":\"\"},"
        + "{\"id\":null,\"event\":\"message\",\"data\":\"a\\nb\"}]");
  }

  @Test
  void aPeriodicInvocationsRunsPageBackwards() throws Exception {
    signIn(READER);
    open("tick");
    // A page holds 20 runs; rate(1s) makes more within about half a minute of the class's start,
    // and the open page says so when it does (live).
    WebElement older = wait(ExpectedConditions.visibilityOfElementLocated(By.id("r-more")), Duration.ofSeconds(90));
    assertThat(runs()).hasSize(20);
    older.click();
    wait(d -> runs().size() > 20);
    List<Long> ids = runs();
    assertThat(ids).doesNotHaveDuplicates().isSortedAccordingTo(java.util.Comparator.reverseOrder());
    assertThat(driver.findElement(By.id("records-title")).getText()).isEqualTo("Runs, newest first");
  }

  /**
   * A browser keeps 6 connections to a host; a page left for another (into the back/forward
   * cache) with its event stream open kept one, and the sixth visit's reads queued forever.
   */
  @Test
  void theConsoleOpensTimeAfterTimeWithoutRunningOutOfConnections() {
    for (int i = 0; i < 8; i++) {
      signIn(READER);
      rowOf("greet", "Finished");
    }
  }

  // ---- helpers -------------------------------------------------------------------------------

  /** The record ids of the runs shown, read at once (a live refresh may redraw them meanwhile). */
  private static List<Long> runs() {
    List<?> ids = (List<?>) ((JavascriptExecutor) driver).executeScript(
        "return [...document.querySelectorAll('#records li')].map((li) => li.getAttribute('data-record-id'))");
    return ids.stream().map(id -> Long.parseLong(String.valueOf(id))).toList();
  }

  private static long newestRun() {
    waitFor(By.cssSelector("#records li"));
    return runs().get(0);
  }

  private static WebDriver browser() throws IOException {
    Files.createDirectories(SHOTS);
    ChromeDriverService service = new ChromeDriverService.Builder()
        .usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build();
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    // Chromium would otherwise reach for the network (updates, sync, QUIC) and fail here.
    options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--disable-dev-shm-usage", "--user-data-dir=" + Files.createTempDirectory(dir, "chromium"),
        "--window-size=1280,900");
    return new ChromeDriver(service, options);
  }

  /** Opens the console with {@code token} in the address's fragment, as the demo prints it. */
  private static void signIn(String token) {
    driver.get("about:blank");
    driver.get(base + "/#token=" + token);
    waitFor(By.cssSelector("#invocations tbody tr"));
  }

  private static WebElement rowOf(String job, String status) {
    return wait(d -> {
      WebElement row = rowOf(job);
      return row != null && status.equals(row.findElement(By.cssSelector(".badge")).getText()) ? row : null;
    });
  }

  private static WebElement rowOf(String job) {
    for (WebElement row : driver.findElements(By.cssSelector("#invocations tbody tr"))) {
      if (row.findElement(By.cssSelector("td[data-label=Job]")).getText().equals(job)) {
        return row;
      }
    }
    return null;
  }

  private static String firstJob() {
    List<WebElement> rows = driver.findElements(By.cssSelector("#invocations tbody tr td[data-label=Job]"));
    return rows.isEmpty() ? null : rows.get(0).getText();
  }

  private static void open(String job) {
    if (driver.findElement(By.id("list-view")).isDisplayed()) {
      rowOf(job).findElement(By.cssSelector("a.invoke-link")).click();
    } else {
      driver.findElement(By.id("back")).click();
      waitFor(By.cssSelector("#invocations tbody tr"));
      rowOf(job).findElement(By.cssSelector("a.invoke-link")).click();
    }
    wait(ExpectedConditions.visibilityOfElementLocated(By.id("results-view")));
    wait(d -> !d.findElement(By.id("r-title")).getText().isEmpty());
  }

  private static String badgeOf(String css) {
    List<WebElement> found = driver.findElements(By.cssSelector(css + " .badge"));
    return found.isEmpty() ? null : found.get(0).getText();
  }

  private static void filter(String selectId, String value) {
    new org.openqa.selenium.support.ui.Select(driver.findElement(By.id(selectId))).selectByVisibleText(value);
    apply();
  }

  /** Submits the filters and waits for the list the answer draws. */
  private static void apply() {
    driver.findElement(By.cssSelector("#filters button[type=submit]")).click();
    listDrawn();
  }

  private static void clearFilters() {
    driver.findElement(By.cssSelector("#filters button[type=reset]")).click();
    listDrawn();
  }

  /** The list is busy from the click (the handler runs within it) until it is drawn. */
  private static void listDrawn() {
    wait(d -> d.findElement(By.id("invocations")).getAttribute("aria-busy") == null);
  }

  private static List<String> jobsShown() {
    return driver.findElements(By.cssSelector("#invocations tbody td[data-label=Job]")).stream()
        .map(WebElement::getText).toList();
  }

  private static String text(String id) {
    return driver.findElement(By.id(id)).getText();
  }

  private static WebElement waitFor(By by) {
    return wait(ExpectedConditions.visibilityOfElementLocated(by));
  }

  private static <T> T wait(java.util.function.Function<WebDriver, T> condition) {
    return wait(condition, WAIT);
  }

  private static <T> T wait(java.util.function.Function<WebDriver, T> condition, Duration atMost) {
    try {
      return new WebDriverWait(driver, atMost).ignoring(org.openqa.selenium.StaleElementReferenceException.class)
          .until(condition::apply);
    } catch (org.openqa.selenium.TimeoutException e) {
      // What the page showed when the wait gave up, for the report.
      String name = "timeout-" + System.currentTimeMillis();
      try {
        shot(name);
      } catch (IOException | RuntimeException ignored) {
        // the timeout is the failure to report
      }
      throw new AssertionError("gave up waiting (screenshot " + name + ".png); url " + driver.getCurrentUrl()
          + "; notice: " + driver.findElement(By.id("notice")).getText() + "; sign-in: "
          + driver.findElement(By.id("signin-message")).getText() + "; who: " + text("who"), e);
    }
  }

  private static void shot(String name) throws IOException {
    Files.write(SHOTS.resolve(name + ".png"), ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES));
  }

  private static String token(String value) throws IOException {
    Path file = dir.resolve("token-" + value.substring(8, 12));
    Files.writeString(file, value + "\n");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    return file.toString();
  }

  private static Optional<String> missing(Path tool, String debianPackage) {
    return Files.isExecutable(tool) ? Optional.empty()
        : Optional.of(tool + " is missing: apt-get install " + debianPackage + " (.ci/run does)");
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
