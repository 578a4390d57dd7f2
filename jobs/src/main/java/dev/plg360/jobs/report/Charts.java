package dev.plg360.jobs.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.BitmapEncoder.BitmapFormat;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.CategorySeries;
import org.knowm.xchart.CategorySeries.CategorySeriesRenderStyle;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.XYSeries.XYSeriesRenderStyle;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.AxesChartStyler;
import org.knowm.xchart.style.Styler.LegendPosition;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The reports' charts, drawn with XChart into PNG images in memory. Java2D draws without a display: the JVM is put
 * in headless mode before the first chart, so a driver with a stray DISPLAY never tries to open a window.
 */
final class Charts {
  private Charts() {}

  static {
    if (System.getProperty("java.awt.headless") == null) {
      System.setProperty("java.awt.headless", "true");
    }
  }

  static final Color BLUE = new Color(0x1f, 0x77, 0xb4);
  static final Color ORANGE = new Color(0xe6, 0x6c, 0x1a);
  static final Color GREY = new Color(0x99, 0x99, 0x99);
  static final Color GREEN = new Color(0x2e, 0x8b, 0x57);

  private static final int WIDTH = 760;
  private static final int HEIGHT = 420;
  private static final BasicStroke DASHED = new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f,
      new float[] {6f, 4f}, 0f);

  /** A line of an XY chart: dashed for a reference line, with markers for a few points. */
  record Line(String name, double[] x, double[] y, Color color, boolean dashed, boolean markers) {}

  /** A series of a bar chart: one value per category (null: no bar), or a line across the bars. */
  record Bars(String name, List<? extends Number> values, Color color, boolean asLine) {}

  /** A chart of lines over x and y from 0 to max (ROC, calibration). */
  static byte[] unitSquare(String title, String xTitle, String yTitle, double max, List<Line> lines) {
    XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT + 60).title(title).xAxisTitle(xTitle)
        .yAxisTitle(yTitle).build();
    style(chart.getStyler());
    chart.getStyler().setXAxisMin(0.0).setXAxisMax(max).setYAxisMin(0.0).setYAxisMax(max);
    String pattern = max < 0.5 ? "0.00" : "0.0";
    chart.getStyler().setXAxisDecimalPattern(pattern).setYAxisDecimalPattern(pattern);
    chart.getStyler().setLegendPosition(LegendPosition.InsideSE);
    for (Line l : lines) {
      XYSeries s = chart.addSeries(l.name(), l.x(), l.y());
      s.setXYSeriesRenderStyle(XYSeriesRenderStyle.Line);
      s.setLineColor(l.color());
      s.setMarker(l.markers() ? SeriesMarkers.CIRCLE : SeriesMarkers.NONE);
      s.setMarkerColor(l.color());
      s.setLineStyle(l.dashed() ? DASHED : new BasicStroke(2f));
    }
    return png(chart);
  }

  /** A bar chart: one bar per category and series (series overlap, so a category has one visible bar). */
  static byte[] bars(String title, String xTitle, String yTitle, List<String> categories, List<Bars> series,
                     String yPattern) {
    CategoryChart chart = new CategoryChartBuilder().width(WIDTH).height(HEIGHT).title(title).xAxisTitle(xTitle)
        .yAxisTitle(yTitle).build();
    style(chart.getStyler());
    chart.getStyler().setOverlapped(true).setAvailableSpaceFill(0.8);
    chart.getStyler().setYAxisDecimalPattern(yPattern);
    chart.getStyler().setLegendVisible(series.size() > 1);
    chart.getStyler().setLegendPosition(LegendPosition.InsideNE);
    // Labels side by side need about 8 pixels a character; turned, they need none of the width.
    if (categories.stream().mapToInt(String::length).max().orElse(0) * 8 * categories.size() > WIDTH - 120) {
      chart.getStyler().setXAxisLabelRotation(40);
    }
    for (Bars b : series) {
      CategorySeries s = chart.addSeries(b.name(), categories, b.values());
      s.setFillColor(b.color());
      if (b.asLine()) {
        s.setChartCategorySeriesRenderStyle(CategorySeriesRenderStyle.Line);
        s.setLineColor(b.color());
        s.setLineStyle(DASHED);
        s.setMarker(SeriesMarkers.NONE);
      }
    }
    return png(chart);
  }

  private static void style(AxesChartStyler s) {
    s.setChartBackgroundColor(Color.WHITE);
    s.setPlotBackgroundColor(Color.WHITE);
    s.setPlotBorderVisible(false);
    s.setPlotGridLinesColor(new Color(0xe4, 0xe4, 0xe4));
    s.setChartTitleBoxVisible(false);
    s.setLegendBorderColor(Color.WHITE);
    s.setChartTitleFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
    s.setAxisTitleFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
    s.setAxisTickLabelsFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
    s.setLegendFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
    s.setAntiAlias(true);
  }

  private static byte[] png(Chart<?, ?> chart) {
    try {
      return BitmapEncoder.getBitmapBytes(chart, BitmapFormat.PNG);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot draw the chart " + chart.getTitle(), e);
    }
  }
}
