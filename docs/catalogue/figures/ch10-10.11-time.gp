# made by workbook; re-plot with: gnuplot -p <this file>
set title 'Work per call (run with --full for times)' noenhanced
set xlabel 'sequence length n' noenhanced
set ylabel 'GFLOP' noenhanced
set logscale x
set logscale y
set grid
set key inside top left opaque box noenhanced
set style fill transparent solid 0.45 noborder
$s0 << EOD
64 0.008388608
128 0.033554432
256 0.134217728
512 0.536870912
1024 2.147483648
2048 8.589934592
4096 34.35973837
8192 137.4389535
EOD
plot $s0 using 1:2 with linespoints lw 2 pt 7 ps 1.1 title '4 batch n^2 d (both kernels)'
