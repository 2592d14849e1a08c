// A client written like the Java sample in the REST seed ("In Practice"): the same POJO, the same
// headers (including the sample's misspelled Accept type), Jackson's default ObjectMapper (which fails
// on unknown properties), HttpURLConnection, a fixed sleep between polls, and a download of resultUrl
// with no credentials. Only the URL and the credentials come from outside.
//
// Usage: java AsyncStatusPoller STATUS_URL BEARER_TOKEN API_KEY OUTPUT_FILE
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;

import com.fasterxml.jackson.databind.ObjectMapper;

public class AsyncStatusPoller {
    public static class AsyncStatus {
        private String status;
        private String resultUrl;
        private Integer resultUrlExpiresInSeconds;

        public AsyncStatus() { }

        public String getStatus() { return status; }
        public void setStatus(String status) { this.status = status; }

        public String getResultUrl() { return resultUrl; }
        public void setResultUrl(String resultUrl) { this.resultUrl = resultUrl; }

        public Integer getResultUrlExpiresInSeconds() { return resultUrlExpiresInSeconds; }
        public void setResultUrlExpiresInSeconds(Integer value) { this.resultUrlExpiresInSeconds = value; }
    }

    public static void main(String[] args) throws Exception {
        String asyncStatusUrlStr = args[0];
        String bearerAccessToken = args[1];
        String apiKey = args[2];
        ObjectMapper mapper = new ObjectMapper();
        long intervalSeconds = 1;
        long maxSeconds = 60;
        long startMillis = System.currentTimeMillis();
        long elapsedMillis;
        AsyncStatus asyncStatus = null;
        HttpURLConnection connection;

        System.out.println("=== Polling Async Status ===");
        URL url = new URL(asyncStatusUrlStr);
        do {
            connection = (HttpURLConnection) url.openConnection();
            connection.setRequestProperty("Accept", "application/vnd.scicquest.com.ees+json");
            connection.setRequestProperty("Authorization", "Bearer " + bearerAccessToken);
            connection.setRequestProperty("X-API-Key", apiKey);
            int responseCode = connection.getResponseCode();
            if (responseCode == 200) {
                String body;
                try (InputStream content = connection.getInputStream()) {
                    body = new String(content.readAllBytes(), "UTF-8");
                }
                asyncStatus = mapper.readValue(body, AsyncStatus.class);
                System.out.println("Async status: [" + asyncStatus.getStatus() + "]");
                if (asyncStatus.getStatus().equals("processing")) {
                    Thread.sleep(intervalSeconds * 1000);
                }
            } else {
                System.out.println("Unexpected status response: " + responseCode);
            }
            elapsedMillis = System.currentTimeMillis() - startMillis;
        } while (connection.getResponseCode() == 200 && asyncStatus.getStatus().equals("processing") && elapsedMillis < (maxSeconds * 1000));

        if (asyncStatus == null || !asyncStatus.getStatus().equals("completed")) {
            System.out.println("Job did not complete");
            System.exit(1);
        }
        System.out.println("Downloading completed async file...");
        connection = (HttpURLConnection) new URL(asyncStatus.getResultUrl()).openConnection();
        int responseCode = connection.getResponseCode();
        if (responseCode == 200) {
            try (InputStream content = connection.getInputStream()) {
                long bytes = Files.copy(content, Paths.get(args[3]), StandardCopyOption.REPLACE_EXISTING);
                System.out.println("Returned response (200): " + bytes + " bytes");
            }
        } else {
            System.out.println("Unexpected download response: " + responseCode);
            System.exit(1);
        }
    }
}
