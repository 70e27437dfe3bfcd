# made by workbook; re-plot with: gnuplot -p <this file>
set title 'Counting (more A than B) with a 2-layer encoder' noenhanced
set xlabel 'sequence length n' noenhanced
set ylabel 'held-out accuracy' noenhanced
set grid
set key inside top right opaque box noenhanced
set style fill transparent solid 0.45 noborder
$s0 << EOD
8 0.5
128 0.5
EOD
plot $s0 using 1:2 with lines lw 2 title 'chance'
