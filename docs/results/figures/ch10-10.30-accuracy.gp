# made by workbook; re-plot with: gnuplot -p <this file>
set title 'Counting (more A than B) with a 2-layer encoder' noenhanced
set xlabel 'sequence length n' noenhanced
set ylabel 'held-out accuracy' noenhanced
set grid
set key inside top right opaque box noenhanced
set style fill transparent solid 0.45 noborder
$s0 << EOD
8 0.5
16 0.5
32 0.5
64 0.5
128 0.5
EOD
$s1 << EOD
8 1
16 1
32 1
64 1
128 0.98
EOD
$s2 << EOD
8 1
16 1
32 1
64 1
128 0.9591002045
EOD
$s3 << EOD
8 1
16 1
32 1
64 0.841
128 0.899
EOD
$s4 << EOD
8 1
16 1
32 1
64 0.6838842975
128 0.799591002
EOD
plot $s0 using 1:2 with lines lw 2 title 'chance', \
    $s1 using 1:2 with linespoints lw 2 pt 7 ps 1.1 title '[CLS] readout, all', \
    $s2 using 1:2 with linespoints lw 2 pt 7 ps 1.1 title '[CLS] readout, hard cases', \
    $s3 using 1:2 with linespoints lw 2 pt 7 ps 1.1 title 'mean readout, all', \
    $s4 using 1:2 with linespoints lw 2 pt 7 ps 1.1 title 'mean readout, hard cases'
